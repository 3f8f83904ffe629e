package dev.portcullis.api;

import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.DecodedBatch;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.StageCoalescing;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.DecisionRecord;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/evaluate}: a dry run for policy authors and CI pipelines. Takes one raw input in
 * any shape the stream accepts and answers the decisions it would get, without publishing, alerting
 * or remembering anything.
 *
 * <p>{@code 200 {"results":[...], "rejected":[...]}} with one result per change event; parts of a
 * batch that are no event are listed in {@code rejected}. Input that is not JSON or holds no
 * supported event is a {@code 400} naming the problem; a policy that fails on the event is a {@code
 * 422}.
 */
@Path("/v1/evaluate")
public class EvaluateResource {

  /** The answer: one result per change event, and what was not an event. */
  public record Answer(List<DecisionRecord> results, List<Rejection> rejected) {}

  /** A part of the input that is no event. */
  public record Rejection(String location, String reason, String message) {}

  @Inject EventDecoder decoder;
  @Inject ChangeEvaluator evaluator;

  private final Clock clock = Clock.systemUTC();

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Response evaluate(byte[] body) {
    Instant now = clock.instant();
    DecodedBatch batch;
    try {
      batch = decoder.decode(body, now);
    } catch (InvalidEventException e) {
      return ApiError.response(400, e.reason(), e.getMessage());
    }
    List<ChangeEvent> events = StageCoalescing.coalesce(batch.events());
    List<Rejection> rejected = new ArrayList<>();
    batch
        .rejected()
        .forEach(r -> rejected.add(new Rejection(r.location(), r.reason(), r.message())));
    if (events.isEmpty() && !rejected.isEmpty()) {
      return ApiError.response(
          400,
          InvalidEventException.INVALID_RECORD,
          "the input holds no event: " + rejected.get(0).message(),
          Map.of("rejected", rejected));
    }
    List<DecisionRecord> results = new ArrayList<>(events.size());
    for (ChangeEvent e : events) {
      try {
        results.add(evaluator.evaluate(e, now, false));
      } catch (RuntimeException ex) {
        return ApiError.response(
            422, "evaluation-error", "event " + e.getId() + " could not be evaluated: " + ex);
      }
    }
    return Response.ok(new Answer(results, rejected)).build();
  }
}
