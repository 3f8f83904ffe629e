package dev.portcullis.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.DecodedBatch;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.StageCoalescing;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.PolicyEngine;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 *
 * <p>{@code POST /v1/evaluate/test-case?policy=<id>[&description=...]} takes the same input and
 * answers a test case for that policy's {@code tests/} folder ({@code application/yaml}): the input
 * as the case's {@code event}, and what the policy decided now as its expectation ({@code expect},
 * or {@code expectEach} when the input holds several events). Lookup answers are not recorded: a
 * policy that needs them gets {@code mocks:} added by hand. {@code 404} for an unknown policy.
 */
@Path("/v1/evaluate")
public class EvaluateResource {

  /** The answer: one result per change event, and what was not an event. */
  public record Answer(List<DecisionRecord> results, List<Rejection> rejected) {}

  /** A part of the input that is no event. */
  public record Rejection(String location, String reason, String message) {}

  /** The case file's media type. */
  public static final String YAML = "application/yaml";

  private static final ObjectMapper YAML_WRITER =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  @Inject EventDecoder decoder;
  @Inject ChangeEvaluator evaluator;
  @Inject ObjectMapper json;
  @Inject PolicyEngine engine;

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

  @POST
  @Path("/test-case")
  @Consumes(MediaType.WILDCARD)
  @Produces({YAML, MediaType.APPLICATION_JSON})
  public Response testCase(
      @QueryParam("policy") String policy,
      @QueryParam("description") String description,
      byte[] body) {
    if (policy == null || !engine.current().policies().containsKey(policy)) {
      return ApiError.response(
          404, "unknown-policy", "no policy in force has the id " + policy + "; pass ?policy=<id>");
    }
    Response evaluated = evaluate(body);
    if (!(evaluated.getEntity() instanceof Answer answer)) {
      return evaluated;
    }
    JsonNode input;
    try {
      input = json.readTree(body);
    } catch (IOException e) {
      return ApiError.response(
          400, "not-json", "a test case keeps its event as YAML: send the input as JSON text");
    }
    List<List<Map<String, Object>>> each = new ArrayList<>();
    for (DecisionRecord r : answer.results()) {
      List<Map<String, Object>> expected = new ArrayList<>();
      for (Decision d : r.decisions()) {
        if (d.policy().equals(policy)) {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("action", d.action().wireName());
          e.put("severity", d.severity().wireName());
          if (d.summary() != null && !d.summary().isBlank()) {
            e.put("summaryContains", List.of(d.summary()));
          }
          if (d.exception() != null) {
            e.put("exception", d.exception());
          }
          expected.add(e);
        }
      }
      each.add(expected);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put(
        "description",
        description != null && !description.isBlank()
            ? description.strip()
            : each.stream().anyMatch(l -> !l.isEmpty())
                ? "Saved from the console playground: " + policy + " decides this input."
                : "Saved from the console playground: " + policy + " stays quiet on this input.");
    doc.put("event", input);
    if (each.size() == 1) {
      doc.put("expect", each.get(0));
    } else {
      doc.put("expectEach", each);
    }
    try {
      String yaml =
          "# A test case for "
              + policy
              + "/tests/, saved from the Portcullis console playground.\n"
              + "# Lookup answers are not recorded: add mocks: if the policy needs them.\n"
              + YAML_WRITER.writeValueAsString(doc);
      return Response.ok(yaml, YAML).build();
    } catch (IOException e) {
      return ApiError.response(500, "yaml", "the case could not be written: " + e.getMessage());
    }
  }
}
