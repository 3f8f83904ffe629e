package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one Kubernetes audit {@code Event} ({@code audit.k8s.io/v1} or {@code v1beta1}, or the same
 * object without {@code apiVersion}/{@code kind} as many exports write it) into a {@link
 * ChangeEvent}.
 *
 * <p>The event time is {@code requestReceivedTimestamp}, the same for every stage of one request,
 * so the stages of one request are one change with one time. The actor, the API and the target are
 * read by {@link KubernetesRequests}, as for an admission request ({@link AdmissionReviewDecoder}).
 */
public final class KubernetesAuditParser {

  /** Audit stages from the least to the most complete. */
  private static final List<String> STAGES =
      List.of("RequestReceived", "ResponseStarted", "ResponseComplete", "Panic");

  /** Parses an event; secret material is removed from {@code event} in place first. */
  public ChangeEvent parse(ObjectNode event, Instant arrival) {
    List<String> redacted = SecretRedactor.redact(event);

    String auditId = Json.text(event, "auditID");
    boolean idFromContent = auditId == null;
    String id = idFromContent ? ContentHash.of(event) : auditId;

    Instant time = null;
    for (String f :
        List.of("requestReceivedTimestamp", "stageTimestamp", "timestamp", "p_event_time")) {
      time = EventTimes.parse(Json.text(event, f)).orElse(null);
      if (time != null) {
        break;
      }
    }
    boolean estimated = time == null;
    if (estimated) {
      time = arrival;
    }

    String verb = Json.text(event, "verb");
    JsonNode ref = Json.object(event, "objectRef");
    JsonNode requestObject = event.get("requestObject");
    JsonNode responseObject = event.get("responseObject");
    JsonNode status = Json.object(event, "responseStatus");
    Integer code = Json.integer(status, "code");
    String stage = Json.text(event, "stage");
    Boolean succeeded = code == null ? null : code < 400;

    String apiGroup = Json.text(ref, "apiGroup");
    String apiVersion = Json.text(ref, "apiVersion");
    String service = KubernetesRequests.service(apiGroup, apiVersion);

    String name = Json.text(ref, "name");
    if (name == null) {
      name = KubernetesRequests.metadataName(requestObject);
    }
    if (name == null) {
      name = KubernetesRequests.metadataName(responseObject);
    }
    String namespace = Json.text(ref, "namespace");
    String resource = Json.text(ref, "resource");

    return ChangeEvent.builder()
        .id(id, idFromContent)
        .source(ChangeEvent.K8S_AUDIT)
        .eventTime(time, estimated)
        .service(service)
        .action(verb)
        .readOnly(verb != null && KubernetesRequests.READ_VERBS.contains(verb))
        .actor(actor(event))
        .target(
            KubernetesRequests.target(
                apiGroup, resource, Json.text(ref, "subresource"), namespace, name))
        .outcome(
            new Outcome(
                succeeded,
                Boolean.FALSE.equals(succeeded) ? Json.text(status, "reason") : null,
                Boolean.FALSE.equals(succeeded) ? Json.text(status, "message") : null,
                code,
                isDryRun(Json.text(event, "requestURI")),
                stage))
        .request(requestObject)
        .response(responseObject)
        .raw(event)
        .redacted(redacted)
        .build();
  }

  /** Rank of an audit stage: higher is more complete; unknown or missing stages rank highest. */
  public static int stageRank(String stage) {
    int i = stage == null ? -1 : STAGES.indexOf(stage);
    return i < 0 ? STAGES.size() : i;
  }

  /** True for stages that a later stage of the same request supersedes. */
  public static boolean isPreliminaryStage(String stage) {
    return "RequestReceived".equals(stage) || "ResponseStarted".equals(stage);
  }

  static Actor actor(JsonNode event) {
    JsonNode user = Json.object(event, "user");
    JsonNode impersonated = Json.object(event, "impersonatedUser");
    JsonNode effective = impersonated != null ? impersonated : user;
    List<String> groups = new ArrayList<>();
    JsonNode g = effective == null ? null : effective.get("groups");
    if (g != null && g.isArray()) {
      g.forEach(n -> groups.add(n.asText()));
    }
    String sourceIp = null;
    JsonNode ips = event.get("sourceIPs");
    if (ips != null && ips.isArray() && ips.size() > 0) {
      sourceIp = ips.get(0).asText();
    }
    return KubernetesRequests.actor(
        Json.text(effective, "username"),
        groups,
        Json.text(event, "userAgent"),
        sourceIp,
        impersonated != null ? Json.text(user, "username") : null);
  }

  /** True when the request URI asks for a dry run ({@code dryRun=All}). */
  static boolean isDryRun(String requestUri) {
    if (requestUri == null) {
      return false;
    }
    int q = requestUri.indexOf('?');
    if (q < 0) {
      return false;
    }
    for (String pair : requestUri.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (k.equals("dryRun")) {
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return !v.isEmpty();
      }
    }
    return false;
  }
}
