package dev.portcullis.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.api.ApiError;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.SecretRedactor;
import dev.portcullis.ingest.DeadLetters;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * What one intake request holds: the records to write to an input topic and the parts it refuses.
 * {@link #submit} writes both (refused parts to the dead-letter topic, with the field named) and
 * answers the sender only once Kafka acknowledged every write:
 *
 * <ul>
 *   <li>200 {@code {"accepted": n}} when every part was accepted;
 *   <li>400 (or the refusal's status) naming the first refused part's field, with every refused
 *       part's location in {@code details.refused}, when some were refused: the accepted ones are
 *       written all the same and the refused ones are in the dead-letter topic, so a sender that
 *       does not retry a 4xx loses nothing;
 *   <li>503 with {@code Retry-After} when Kafka did not take them: nothing is acknowledged to the
 *       sender, whose retry sends the batch again (the stream drops second deliveries by event id).
 * </ul>
 */
final class IntakeBatch {

  private static final Logger LOG = Logger.getLogger(IntakeBatch.class);

  /** Most refused parts listed in one answer. */
  private static final int MAX_LISTED = 20;

  private final String intake;
  private final ObjectMapper mapper;
  private final List<Accepted> accepted = new ArrayList<>();
  private final List<Refused> refused = new ArrayList<>();
  private IntakeRefusal whole;

  IntakeBatch(String intake, ObjectMapper mapper) {
    this.intake = intake;
    this.mapper = mapper;
  }

  /** Accepts a record: secret material is removed from it first. */
  void accept(String topic, String key, JsonNode record) {
    SecretRedactor.redact(record);
    accepted.add(new Accepted(topic, key, bytes(record)));
  }

  /** Refuses one part of the request. */
  void refuse(String location, InvalidEventException e, JsonNode part) {
    SecretRedactor.redact(part);
    refused.add(
        new Refused(
            location, e.reason(), location + ": " + e.getMessage(), e.field(), bytes(part)));
  }

  /** Refuses a part that is not JSON: its bytes go to the dead-letter topic, scrubbed. */
  void refuse(String location, InvalidEventException e, byte[] raw) {
    refused.add(
        new Refused(
            location,
            e.reason(),
            location + ": " + e.getMessage(),
            e.field(),
            DeadLetters.scrub(raw, mapper)));
  }

  /** Refuses the whole request; {@code body} (scrubbed here) goes to the dead-letter topic. */
  void refuseAll(IntakeRefusal refusal, byte[] body) {
    whole = refusal;
    refused.add(
        new Refused(
            null,
            refusal.code(),
            refusal.message(),
            refusal.field(),
            body == null ? new byte[0] : DeadLetters.scrub(body, mapper)));
  }

  int acceptedCount() {
    return accepted.size();
  }

  /** Writes everything and answers once Kafka acknowledged it all. */
  CompletionStage<Response> submit(IntakeWriter writer) {
    return written(writer)
        .thenApply(
            ok ->
                ok
                    ? answer()
                    : Response.status(503)
                        .header("Retry-After", "5")
                        .type(MediaType.APPLICATION_JSON)
                        .entity(
                            new ApiError(
                                503,
                                "kafka-unavailable",
                                "Kafka did not acknowledge the records; nothing was taken, send"
                                    + " again",
                                Map.of()))
                        .build());
  }

  /**
   * Writes everything; completes with true once Kafka acknowledged it all, false when it did not
   * (never exceptionally).
   */
  CompletionStage<Boolean> written(IntakeWriter writer) {
    List<CompletableFuture<Void>> writes = new ArrayList<>(accepted.size() + refused.size());
    for (Accepted a : accepted) {
      writes.add(writer.write(intake, a.topic(), a.key(), a.value()));
    }
    for (Refused r : refused) {
      writes.add(
          writer.deadLetter(intake, r.code(), r.message(), r.location(), r.field(), r.payload()));
    }
    return IntakeWriter.all(writes)
        .handle(
            (ok, error) -> {
              if (error != null) {
                LOG.warnf(
                    "%s: Kafka did not take %d records; the sender is told to retry: %s",
                    intake, writes.size(), error.toString());
                return false;
              }
              return true;
            });
  }

  int refusedCount() {
    return refused.size();
  }

  /** The first refusal's message, or null. */
  String firstRefusal() {
    return refused.isEmpty() ? null : refused.get(0).message();
  }

  private Response answer() {
    if (refused.isEmpty()) {
      return Response.ok(Map.of("accepted", accepted.size()), MediaType.APPLICATION_JSON).build();
    }
    Refused first = refused.get(0);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("accepted", accepted.size());
    List<Map<String, String>> listed = new ArrayList<>();
    for (Refused r : refused.subList(0, Math.min(MAX_LISTED, refused.size()))) {
      Map<String, String> m = new LinkedHashMap<>();
      if (r.location() != null) {
        m.put("location", r.location());
      }
      m.put("code", r.code());
      if (r.field() != null) {
        m.put("field", r.field());
      }
      m.put("message", r.message());
      listed.add(m);
    }
    details.put("refused", listed);
    details.put("refusedCount", refused.size());
    if (first.field() != null) {
      details.put("field", first.field());
    }
    int status = whole != null ? whole.status() : 400;
    String code = whole != null ? whole.code() : first.code();
    String message =
        whole != null
            ? whole.message()
            : refused.size()
                + " of "
                + (refused.size() + accepted.size())
                + " events refused (in the dead-letter topic; the others were taken): "
                + first.message();
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(new ApiError(status, code, message, details))
        .build();
  }

  private byte[] bytes(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON tree always writes", e);
    }
  }

  private record Accepted(String topic, String key, byte[] value) {}

  private record Refused(
      String location, String code, String message, String field, byte[] payload) {}
}
