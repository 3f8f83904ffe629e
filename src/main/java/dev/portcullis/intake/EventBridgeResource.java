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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /aws/eventbridge}: an EventBridge API destination for CloudTrail's management events
 * ("AWS API Call via CloudTrail" and the other "... via CloudTrail" detail types). Takes the event
 * as EventBridge sends it (the whole envelope, no input transformer; a JSON array of envelopes is
 * also taken), checks that its {@code detail} is a CloudTrail record with every field CloudTrail
 * writes, and writes the envelope, secret material removed, to the CloudTrail topic keyed by the
 * record's {@code eventID}; 200 once Kafka acknowledged (see {@link IntakeBatch}).
 *
 * <p>The connection authorizes with an API key: the header {@code
 * portcullis.intake.eventbridge.api-key-header} must carry {@code
 * portcullis.intake.eventbridge.api-key}; without a configured key every request is refused.
 * EventBridge retries 401, 429 and 5xx answers and not other 4xx: a refused event is in the
 * dead-letter topic.
 */
@Path("/aws/eventbridge")
public class EventBridgeResource {

  static final String INTAKE = "eventbridge";

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
      @Context HttpHeaders headers,
      @HeaderParam(HttpHeaders.CONTENT_ENCODING) String encoding,
      byte[] body) {
    IntakeConfig.Eventbridge c = config.eventbridge();
    if (c.apiKey().isEmpty() || c.apiKey().get().isBlank()) {
      return CompletableFuture.completedFuture(
          IntakeAuth.error(
              403,
              "intake-off",
              "the EventBridge intake is off until portcullis.intake.eventbridge.api-key is set"));
    }
    Response denied =
        IntakeAuth.check(
            tls.httpsOn() && !http.isSSL(),
            c.apiKey().get(),
            headers.getHeaderString(c.apiKeyHeader()),
            "portcullis.intake.eventbridge.api-key",
            "header " + c.apiKeyHeader());
    if (denied != null) {
      return CompletableFuture.completedFuture(denied);
    }
    IntakeBatch batch = new IntakeBatch(INTAKE, mapper);
    IntakeBody.Result read = IntakeBody.read(body, encoding, c.maxBytes(), mapper);
    if (read.refusal() != null) {
      batch.refuseAll(read.refusal(), read.bytes());
      return batch.submit(writer);
    }
    JsonNode root = read.root();
    if (root.isArray()) {
      for (int i = 0; i < root.size(); i++) {
        envelope(root.get(i), "[" + i + "]", batch);
      }
    } else if (root.isObject()) {
      envelope(root, "", batch);
    } else {
      batch.refuseAll(
          new IntakeRefusal(
              400,
              InvalidEventException.UNSUPPORTED_SHAPE,
              "the body is no EventBridge event (a JSON object with detail-type and detail)",
              null),
          read.bytes());
    }
    return batch.submit(writer);
  }

  private void envelope(JsonNode e, String location, IntakeBatch batch) {
    try {
      check(e);
    } catch (InvalidEventException x) {
      batch.refuse(location, x, e);
      return;
    }
    batch.accept(portcullis.topics().cloudtrail(), e.get("detail").path("eventID").asText(null), e);
  }

  /** Refuses what is no EventBridge event with a CloudTrail record as its detail. */
  static void check(JsonNode e) throws InvalidEventException {
    if (!e.isObject()) {
      throw new InvalidEventException(
          InvalidEventException.WRONG_TYPE,
          "an EventBridge event is a JSON object, not " + e.getNodeType());
    }
    JsonNode type = e.get("detail-type");
    if (type == null || !type.isTextual() || type.asText().isEmpty()) {
      throw new InvalidEventException(
          type == null ? InvalidEventException.MISSING_FIELD : InvalidEventException.WRONG_TYPE,
          "an EventBridge event without a \"detail-type\" string",
          "detail-type");
    }
    JsonNode detail = e.get("detail");
    if (detail == null || !detail.isObject()) {
      throw new InvalidEventException(
          detail == null ? InvalidEventException.MISSING_FIELD : InvalidEventException.WRONG_TYPE,
          "an EventBridge event without a \"detail\" object",
          "detail");
    }
    try {
      RecordChecks.cloudTrailRecord(detail, true);
    } catch (InvalidEventException x) {
      throw new InvalidEventException(
          x.reason(), "detail (" + type.asText() + "): " + x.getMessage(), "detail." + x.field());
    }
  }
}
