package dev.portcullis.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /aws/firehose}: an Amazon Data Firehose HTTP endpoint destination, how EKS audit logs
 * (and CloudTrail sent to CloudWatch Logs) reach Portcullis: a CloudWatch Logs subscription filter
 * feeds the delivery stream, which posts {@code {"requestId","timestamp","records":[{"data"}]}}.
 * Each record's data is base64 of a CloudWatch Logs subscription payload (gzip, as CloudWatch Logs
 * writes it; or decompressed, or the bare log messages, when the stream decompresses and extracts
 * them). Every log message is checked with the fields its sender always writes and written as its
 * own record: an audit event to the audit topic keyed by {@code auditID}, a CloudTrail record to
 * the CloudTrail topic keyed by {@code eventID}.
 *
 * <p>Answers as Firehose expects: {@code {"requestId","timestamp"}} with 200 once Kafka
 * acknowledged every record, refused ones included (they are dead letters: a retry would not make
 * them better); 503 with {@code errorMessage} when Kafka did not, which Firehose retries for its
 * retry duration and then backs up to S3; 401 for a wrong access key.
 */
@Path("/aws/firehose")
public class FirehoseResource {

  static final String INTAKE = "firehose";

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
      @HeaderParam("X-Amz-Firehose-Request-Id") String requestIdHeader,
      @HeaderParam("X-Amz-Firehose-Access-Key") String accessKey,
      @HeaderParam(HttpHeaders.CONTENT_ENCODING) String encoding,
      byte[] body) {
    IntakeConfig.Firehose c = config.firehose();
    String requestId = requestIdHeader;
    if (c.accessKey().isEmpty() || c.accessKey().get().isBlank()) {
      return done(
          answer(
              403,
              requestId,
              "the Firehose intake is off until portcullis.intake.firehose.access-key is set"));
    }
    Response denied =
        IntakeAuth.check(
            tls.httpsOn() && !http.isSSL(),
            c.accessKey().get(),
            accessKey,
            "portcullis.intake.firehose.access-key",
            "header X-Amz-Firehose-Access-Key");
    if (denied != null) {
      return done(
          answer(
              denied.getStatus(),
              requestId,
              denied.getStatus() == 401
                  ? "wrong or missing access key"
                  : "this intake answers over HTTPS only"));
    }
    IntakeBatch batch = new IntakeBatch(INTAKE, mapper);
    IntakeBody.Result read = IntakeBody.read(body, encoding, c.maxBytes(), mapper);
    if (read.refusal() != null) {
      batch.refuseAll(read.refusal(), read.bytes());
      return finish(batch, read.refusal().status(), requestId, read.refusal().message());
    }
    JsonNode root = read.root();
    if (requestId == null) {
      requestId = root.path("requestId").asText(null);
    }
    JsonNode records = root.get("records");
    try {
      if (!root.isObject() || records == null) {
        throw new InvalidEventException(
            InvalidEventException.UNSUPPORTED_SHAPE,
            "the body is no Firehose delivery request (requestId, timestamp, records)",
            "records");
      }
      RecordChecks.batchList(records, "records", "a Firehose delivery request");
    } catch (InvalidEventException e) {
      IntakeRefusal r = new IntakeRefusal(400, e.reason(), e.getMessage(), e.field());
      batch.refuseAll(r, read.bytes());
      return finish(batch, 400, requestId, r.message());
    }
    for (int i = 0; records != null && i < records.size(); i++) {
      record(records.get(i), "records[" + i + "]", batch, c.maxBytes());
    }
    return finish(batch, 200, requestId, null);
  }

  private void record(JsonNode r, String location, IntakeBatch batch, int maxBytes) {
    JsonNode data = r.path("data");
    if (!data.isTextual()) {
      batch.refuse(
          location,
          new InvalidEventException(
              InvalidEventException.WRONG_TYPE,
              "\"data\" of a Firehose record is no base64 string",
              "data"),
          r);
      return;
    }
    byte[] bytes;
    try {
      bytes = Base64.getMimeDecoder().decode(data.asText());
    } catch (IllegalArgumentException e) {
      batch.refuse(
          location,
          new InvalidEventException(
              InvalidEventException.WRONG_TYPE,
              "\"data\" is not base64: " + e.getMessage(),
              "data"),
          r);
      return;
    }
    IntakeBody.Result inner = IntakeBody.read(bytes, null, maxBytes, mapper);
    if (inner.refusal() != null && inner.bytes() != null) {
      // With message extraction, one Firehose record holds the bare messages, one per line.
      String[] lines = new String(inner.bytes(), StandardCharsets.UTF_8).split("\n");
      if (lines.length > 1) {
        for (int j = 0; j < lines.length; j++) {
          if (!lines[j].isBlank()) {
            message(TextNode.valueOf(lines[j]), location + ".lines[" + j + "]", batch);
          }
        }
        return;
      }
    }
    if (inner.refusal() != null) {
      batch.refuse(
          location,
          new InvalidEventException(inner.refusal().code(), inner.refusal().message(), "data"),
          inner.bytes() != null ? inner.bytes() : bytes);
      return;
    }
    JsonNode payload = inner.root();
    if (payload.has("messageType") || payload.has("logEvents")) {
      JsonNode events = payload.get("logEvents");
      try {
        RecordChecks.batchList(events, "logEvents", "a CloudWatch Logs subscription payload");
      } catch (InvalidEventException e) {
        batch.refuse(location, e, payload);
        return;
      }
      if (!"DATA_MESSAGE".equals(payload.path("messageType").asText()) || events == null) {
        return; // CloudWatch Logs' control message, sent once when the subscription starts
      }
      for (int j = 0; j < events.size(); j++) {
        message(events.get(j).path("message"), location + ".logEvents[" + j + "]", batch);
      }
    } else {
      route(payload, location, batch);
    }
  }

  /** One log message: a JSON string holding an audit event or a CloudTrail record. */
  private void message(JsonNode message, String location, IntakeBatch batch) {
    if (!message.isTextual()) {
      batch.refuse(
          location,
          new InvalidEventException(
              InvalidEventException.WRONG_TYPE, "the log event has no message string", "message"),
          message);
      return;
    }
    JsonNode event;
    try {
      event = mapper.readTree(message.asText());
    } catch (IOException e) {
      batch.refuse(
          location,
          new InvalidEventException(
              InvalidEventException.NOT_JSON, "the log message is not JSON", "message"),
          message.asText().getBytes(StandardCharsets.UTF_8));
      return;
    }
    route(event, location, batch);
  }

  private void route(JsonNode event, String location, IntakeBatch batch) {
    try {
      if (event.isObject()
          && (event.has("auditID")
              || event.path("apiVersion").asText("").startsWith("audit.k8s.io/"))) {
        RecordChecks.auditEvent(event, true);
        batch.accept(portcullis.topics().k8sAudit(), event.get("auditID").asText(), event);
      } else if (event.isObject() && (event.has("eventName") || event.has("eventSource"))) {
        RecordChecks.cloudTrailRecord(event, true);
        batch.accept(portcullis.topics().cloudtrail(), event.path("eventID").asText(null), event);
      } else {
        throw new InvalidEventException(
            InvalidEventException.UNSUPPORTED_SHAPE,
            "the log message is neither a Kubernetes audit event nor a CloudTrail record");
      }
    } catch (InvalidEventException e) {
      batch.refuse(location, e, event);
    }
  }

  private CompletionStage<Response> finish(
      IntakeBatch batch, int status, String requestId, String message) {
    return batch
        .written(writer)
        .thenApply(
            ok ->
                ok
                    ? answer(status, requestId, message)
                    : answer(503, requestId, "Kafka did not acknowledge the records; retry"));
  }

  /** Firehose's response shape: the request id, a timestamp, and a message for errors. */
  static Response answer(int status, String requestId, String errorMessage) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("requestId", requestId == null ? "" : requestId);
    body.put("timestamp", System.currentTimeMillis());
    if (status != 200 && errorMessage != null) {
      body.put("errorMessage", errorMessage);
    }
    Response.ResponseBuilder b = Response.status(status).type(MediaType.APPLICATION_JSON);
    if (status == 503) {
      b.header("Retry-After", "5");
    }
    return b.entity(body).build();
  }

  private static CompletionStage<Response> done(Response r) {
    return CompletableFuture.completedFuture(r);
  }
}
