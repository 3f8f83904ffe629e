package dev.portcullis.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the {@code request} of a Kubernetes {@code AdmissionReview} ({@code admission.k8s.io/v1},
 * as the API server sends it to a validating webhook) into a {@link ChangeEvent} that the policies
 * judge exactly like the audit event of the same request: source {@code k8s-audit}, the verb, the
 * actor (classified like the audit parser does, through {@link KubernetesRequests}), an {@code
 * objectRef}-style target and the object as the request object.
 *
 * <ul>
 *   <li>id: the review's {@code uid}. It identifies the API server's call to the webhook, not the
 *       user's request: the audit event of the same request has another id ({@code auditID}).
 *   <li>event time: now, the moment the change is being decided; it has not happened yet.
 *   <li>verb: CREATE, UPDATE, DELETE, CONNECT become create, update, delete, connect. A {@code
 *       kubectl patch} arrives as UPDATE (the review does not say it was a patch), so a policy that
 *       treats update and patch alike judges both paths the same.
 *   <li>actor: {@code userInfo} (user name and groups). The review carries no user agent and no
 *       source IP, so tools recognised only by their user agent (the Terraform or Helm CLI) are not
 *       recognised at admission; list such identities by name in the policy's parameters.
 *   <li>target: {@code requestResource} (the resource as the client asked for it, as the audit
 *       event's {@code objectRef} has it; {@code resource} when absent), {@code
 *       requestSubResource}, {@code namespace}, {@code name}; on a CREATE with {@code generateName}
 *       the name comes from the object's metadata.
 *   <li>request object: {@code object}, or {@code oldObject} on DELETE (the object being deleted).
 *       There is no response object yet; the whole review stays readable as the raw record.
 *   <li>outcome: not known yet (stage {@code Admission}), with {@code dryRun} from the review.
 * </ul>
 *
 * Secret material ({@code data}, {@code stringData} and the last-applied annotation of Secrets in
 * {@code object} and {@code oldObject}) is removed before anything else reads the review. Every
 * error message names fields, never their values. Thread-safe.
 */
public final class AdmissionReviewDecoder {

  /** The only {@code apiVersion} served; {@code v1beta1} was removed from Kubernetes in 1.22. */
  public static final String API_VERSION = "admission.k8s.io/v1";

  /** The {@code kind} of requests and answers. */
  public static final String KIND = "AdmissionReview";

  /** {@link Outcome#getStage()} of an event decided at admission: its outcome is not known yet. */
  public static final String STAGE = "Admission";

  private static final Map<String, String> VERBS =
      Map.of("CREATE", "create", "UPDATE", "update", "DELETE", "delete", "CONNECT", "connect");

  /**
   * A decoded review.
   *
   * @param uid the review's {@code uid}, to be echoed in the answer
   * @param operation CREATE, UPDATE, DELETE or CONNECT
   * @param dryRun true when the API server will persist nothing whatever the answer
   * @param event the change as the review describes it (a dry run says so in its outcome)
   * @param asApplied the same change judged as if it were applied: {@code event} for a real
   *     request; for a dry run, the same event without the dry-run mark, so that a dry run gets the
   *     answer the real request would get
   */
  public record Request(
      String uid, String operation, boolean dryRun, ChangeEvent event, ChangeEvent asApplied) {}

  private final ObjectReader strict;
  private final int maxBytes;

  /**
   * @param maxBytes the largest review accepted
   */
  public AdmissionReviewDecoder(ObjectMapper mapper, int maxBytes) {
    this.strict = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.maxBytes = maxBytes;
  }

  public int maxBytes() {
    return maxBytes;
  }

  /**
   * Decodes a review as it came over HTTP.
   *
   * @param now the time of the decision, the event time
   * @throws InvalidEventException when the input is too large, not JSON, not an {@code
   *     admission.k8s.io/v1} review, or misses a required field
   */
  public Request decode(byte[] body, Instant now) throws InvalidEventException {
    if (body == null || body.length == 0) {
      throw new InvalidEventException(InvalidEventException.EMPTY, "the request body is empty");
    }
    if (body.length > maxBytes) {
      throw new InvalidEventException(
          InvalidEventException.TOO_LARGE,
          "the AdmissionReview has " + body.length + " bytes, more than the limit of " + maxBytes);
    }
    JsonNode root;
    try {
      root = strict.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidEventException(
          InvalidEventException.NOT_JSON,
          "the request body is not one JSON value: " + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw new InvalidEventException(
          InvalidEventException.NOT_JSON, "the request body is not JSON: " + e.getMessage(), e);
    }
    return decode(root, now);
  }

  /** Decodes a review already read as JSON; secret material is removed from it in place first. */
  public Request decode(JsonNode root, Instant now) throws InvalidEventException {
    if (!(root instanceof ObjectNode review)) {
      throw new InvalidEventException(
          InvalidEventException.UNSUPPORTED_SHAPE,
          "the request body is a JSON "
              + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT))
              + ", not an AdmissionReview object");
    }
    List<String> redacted = SecretRedactor.redact(review);

    String apiVersion = Json.text(review, "apiVersion");
    String kind = Json.text(review, "kind");
    if (!KIND.equals(kind)) {
      throw new InvalidEventException(
          InvalidEventException.UNSUPPORTED_SHAPE,
          "the request body is no AdmissionReview (kind is "
              + quoted(kind)
              + "); the webhook takes admission.k8s.io/v1 AdmissionReview objects");
    }
    if (!API_VERSION.equals(apiVersion)) {
      throw new InvalidEventException(
          InvalidEventException.UNSUPPORTED_SHAPE,
          "apiVersion "
              + quoted(apiVersion)
              + " is not served; only "
              + API_VERSION
              + " is (set admissionReviewVersions: [\"v1\"] in the webhook configuration)");
    }
    JsonNode request = Json.object(review, "request");
    if (request == null) {
      throw invalid("request is missing: the AdmissionReview carries no request to judge");
    }
    String uid = Json.text(request, "uid");
    if (uid == null) {
      throw invalid("request.uid is missing");
    }
    String operation = Json.text(request, "operation");
    if (operation == null) {
      throw invalid("request.operation is missing");
    }
    String verb = VERBS.get(operation);
    if (verb == null) {
      throw invalid(
          "request.operation " + quoted(operation) + " is none of CREATE, UPDATE, DELETE, CONNECT");
    }
    JsonNode resource = Json.object(request, "resource");
    JsonNode requested = Json.object(request, "requestResource");
    JsonNode ref = requested != null ? requested : resource;
    if (ref == null || Json.text(ref, "resource") == null) {
      throw invalid("request.resource.resource is missing");
    }
    JsonNode userInfo = Json.object(request, "userInfo");
    if (userInfo == null) {
      throw invalid("request.userInfo is missing");
    }
    boolean dryRun = Json.truthy(request, "dryRun");

    String subresource = requested != null ? Json.text(request, "requestSubResource") : null;
    if (subresource == null) {
      subresource = Json.text(request, "subResource");
    }
    JsonNode object = nonNull(request.get("object"));
    JsonNode oldObject = nonNull(request.get("oldObject"));
    String name = Json.text(request, "name");
    if (name == null) {
      name = KubernetesRequests.metadataName(object); // CREATE with generateName
    }
    if (name == null) {
      name = KubernetesRequests.metadataName(oldObject);
    }
    String namespace = Json.text(request, "namespace");
    if (namespace == null) {
      namespace = KubernetesRequests.metadataText(object, "namespace");
    }
    JsonNode requestObject = "DELETE".equals(operation) ? oldObject : object;

    List<String> groups = new ArrayList<>();
    JsonNode g = userInfo.get("groups");
    if (g != null && g.isArray()) {
      g.forEach(n -> groups.add(n.asText()));
    }
    Actor actor =
        KubernetesRequests.actor(Json.text(userInfo, "username"), groups, null, null, null);
    String apiGroup = Json.text(ref, "group");
    Target target =
        KubernetesRequests.target(
            apiGroup, Json.text(ref, "resource"), subresource, namespace, name);
    String service = KubernetesRequests.service(apiGroup, Json.text(ref, "version"));

    ChangeEvent.Builder b =
        ChangeEvent.builder()
            .id(uid, false)
            .source(ChangeEvent.K8S_AUDIT)
            .eventTime(now, false)
            .service(service)
            .action(verb)
            .readOnly(false)
            .actor(actor)
            .target(target)
            .request(requestObject)
            .raw(review)
            .redacted(redacted);
    ChangeEvent event = b.outcome(new Outcome(null, null, null, null, dryRun, STAGE)).build();
    ChangeEvent asApplied =
        dryRun ? b.outcome(new Outcome(null, null, null, null, false, STAGE)).build() : event;
    return new Request(uid, operation, dryRun, event, asApplied);
  }

  private static JsonNode nonNull(JsonNode n) {
    return n == null || n.isNull() ? null : n;
  }

  private static InvalidEventException invalid(String message) {
    return new InvalidEventException(InvalidEventException.INVALID_RECORD, message);
  }

  /** A short field value for an error message: the values here are enum-like, never objects. */
  private static String quoted(String s) {
    if (s == null) {
      return "missing";
    }
    return "\"" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
  }
}
