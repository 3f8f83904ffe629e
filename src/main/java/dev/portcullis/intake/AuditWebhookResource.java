package dev.portcullis.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.enforce.AdmissionTls;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.RecordChecks;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /k8s/audit}: the Kubernetes API server's audit webhook backend. Takes the {@code
 * audit.k8s.io/v1} (or {@code v1beta1}) {@code EventList} the API server sends in batches, writes
 * each event, secret material removed, as its own record to the Kubernetes audit topic keyed by
 * {@code auditID} (so every stage of one request lands in one partition), and answers 200 only once
 * Kafka acknowledged them all (see {@link IntakeBatch} for 400 and 503).
 *
 * <p>Served like the admission webhook: over HTTPS only once a certificate is configured ({@link
 * AdmissionTls}), with a bearer token when {@code portcullis.intake.k8s-audit.token} is set. Events
 * are held to what the API server always writes ({@link RecordChecks} with required fields).
 */
@Path("/k8s/audit")
public class AuditWebhookResource {

  static final String INTAKE = "k8s-audit-webhook";

  @Inject IntakeConfig config;
  @Inject PortcullisConfig portcullis;
  @Inject IntakeWriter writer;
  @Inject AdmissionTls tls;
  @Inject ObjectMapper mapper;

  @POST
  @Blocking
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public CompletionStage<Response> receive(
      @Context HttpServerRequest http,
      @HeaderParam(HttpHeaders.CONTENT_ENCODING) String encoding,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      byte[] body) {
    Response denied =
        IntakeAuth.check(
            tls.httpsOn() && !http.isSSL(),
            config.k8sAudit().token().orElse(null),
            IntakeAuth.bearer(authorization),
            "portcullis.intake.k8s-audit.token",
            "Authorization: Bearer");
    if (denied != null) {
      return java.util.concurrent.CompletableFuture.completedFuture(denied);
    }
    IntakeBatch batch = new IntakeBatch(INTAKE, mapper);
    IntakeBody.Result read = IntakeBody.read(body, encoding, config.k8sAudit().maxBytes(), mapper);
    if (read.refusal() != null) {
      batch.refuseAll(read.refusal(), read.bytes());
      return batch.submit(writer);
    }
    split(read.root(), batch, read.bytes());
    return batch.submit(writer);
  }

  /** Sorts the events of a body into the batch. */
  void split(JsonNode root, IntakeBatch batch, byte[] bytes) {
    String topic = portcullis.topics().k8sAudit();
    if (root.isObject() && "EventList".equals(root.path("kind").asText(null))) {
      String apiVersion = root.path("apiVersion").asText("");
      if (!apiVersion.isEmpty() && !apiVersion.startsWith("audit.k8s.io/")) {
        batch.refuseAll(
            new IntakeRefusal(
                400,
                "unsupported-shape",
                "an EventList of " + apiVersion + " is no audit EventList (audit.k8s.io/v1)",
                "apiVersion"),
            bytes);
        return;
      }
      JsonNode items = root.get("items");
      try {
        RecordChecks.batchList(items, "items", "an audit EventList");
      } catch (InvalidEventException e) {
        batch.refuseAll(new IntakeRefusal(400, e.reason(), e.getMessage(), e.field()), bytes);
        return;
      }
      for (int i = 0; items != null && i < items.size(); i++) {
        event(items.get(i), "items[" + i + "]", topic, batch);
      }
    } else if (root.isArray()) {
      for (int i = 0; i < root.size(); i++) {
        event(root.get(i), "[" + i + "]", topic, batch);
      }
    } else if (root.isObject()
        && ("Event".equals(root.path("kind").asText(null)) || root.has("auditID"))) {
      event(root, "", topic, batch);
    } else {
      batch.refuseAll(
          new IntakeRefusal(
              400,
              InvalidEventException.UNSUPPORTED_SHAPE,
              "the body is no audit.k8s.io EventList or Event (kind is "
                  + (root.isObject() ? root.path("kind").toString() : "absent")
                  + "); the API server's webhook backend sends an EventList",
              "kind"),
          bytes);
    }
  }

  private static void event(JsonNode e, String location, String topic, IntakeBatch batch) {
    if (!e.isObject()) {
      batch.refuse(
          location,
          new InvalidEventException(
              InvalidEventException.WRONG_TYPE,
              "an EventList item is "
                  + e.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                  + ", not an Event"),
          e);
      return;
    }
    try {
      RecordChecks.auditEvent(e, true);
    } catch (InvalidEventException x) {
      batch.refuse(location, x, e);
      return;
    }
    batch.accept(topic, e.get("auditID").asText(), e);
  }
}
