package dev.portcullis.console;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.alert.AlertBootstrap;
import dev.portcullis.alert.AlertState;
import dev.portcullis.alert.AlertStateStore;
import dev.portcullis.alert.AlertsResource;
import dev.portcullis.alert.DedupKeys;
import dev.portcullis.api.ApiError;
import dev.portcullis.api.ExceptionsResource;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/decisions}: the decisions topic as the console shows it.
 *
 * <ul>
 *   <li>{@code GET /v1/decisions} lists the latest decision records (newest first, at most {@code
 *       limit}, 100 by default), filtered by {@code policy}, {@code action}, {@code severity},
 *       {@code source}, {@code actor} and {@code target} (see {@link DecisionFilter}).
 *   <li>{@code GET /v1/decisions/stream} is the same, live, as server-sent events: one {@code
 *       decision} event per new record, its id the console's sequence number, so a reconnecting
 *       browser ({@code Last-Event-ID}) gets what it missed from this instance's memory.
 *   <li>{@code GET /v1/decisions/{id}} shows one event's decision: the record, the records about it
 *       (reverts, decisions that fell due later), the event itself as it came in with secret values
 *       removed (read back from its input topic), the exceptions that suppressed findings and each
 *       finding's alert state.
 * </ul>
 */
@Path("/v1/decisions")
@Produces(MediaType.APPLICATION_JSON)
public class DecisionsResource {

  /** One record as listed: its console sequence number, id and the record as written. */
  public record Item(long seq, String id, JsonNode record) {
    static Item of(RecentDecisions.Entry e) {
      return new Item(e.seq(), e.id(), e.record());
    }
  }

  /** The list, and why it may be incomplete. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Listing(List<Item> decisions, String problem) {}

  /**
   * Everything known about one event's decision.
   *
   * @param id the event id
   * @param record its decision record
   * @param related the other records about it (reverts, later decisions), oldest first
   * @param event the input event with secret values removed, or null (see {@code eventProblem})
   * @param redacted the paths of the fields removed from it
   * @param eventProblem why the event is not shown
   * @param input where the event was read from
   * @param exceptions the exceptions that suppressed a finding, as in force now
   * @param alerts the alert state of each finding that pages, by policy
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Detail(
      String id,
      JsonNode record,
      List<JsonNode> related,
      JsonNode event,
      List<String> redacted,
      String eventProblem,
      Map<String, Object> input,
      List<ExceptionsResource.ExceptionView> exceptions,
      Map<String, AlertsResource.Entry> alerts) {}

  @Inject RecentDecisions recent;
  @Inject LiveDecisions live;
  @Inject InputRecords inputs;
  @Inject EventDecoder decoder;
  @Inject AlertBootstrap alerting;
  @Inject ExceptionsResource exceptions;
  @Inject ObjectMapper json;

  @GET
  public Listing list(
      @QueryParam("policy") String policy,
      @QueryParam("action") String action,
      @QueryParam("severity") String severity,
      @QueryParam("source") String source,
      @QueryParam("actor") String actor,
      @QueryParam("target") String target,
      @QueryParam("limit") Integer limit) {
    int n = limit == null ? 100 : Math.max(1, Math.min(limit, 1000));
    DecisionFilter f = DecisionFilter.of(policy, action, severity, source, actor, target);
    return new Listing(recent.latest(f, n).stream().map(Item::of).toList(), recent.problem());
  }

  @GET
  @Path("/stream")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void stream(
      @Context SseEventSink sink,
      @Context Sse sse,
      @HeaderParam("Last-Event-ID") String lastEventId,
      @QueryParam("policy") String policy,
      @QueryParam("action") String action,
      @QueryParam("severity") String severity,
      @QueryParam("source") String source,
      @QueryParam("actor") String actor,
      @QueryParam("target") String target) {
    long after = -1;
    if (lastEventId != null) {
      try {
        after = Long.parseLong(lastEventId.strip());
      } catch (NumberFormatException e) {
        after = -1;
      }
    }
    live.open(sink, sse, DecisionFilter.of(policy, action, severity, source, actor, target), after);
  }

  @GET
  @Path("/{id: .+}")
  public Response detail(@PathParam("id") String id) {
    List<RecentDecisions.Entry> about = recent.about(id);
    RecentDecisions.Entry own =
        about.stream().filter(e -> id.equals(e.id())).reduce((a, b) -> b).orElse(null);
    if (own == null) {
      return ApiError.response(
          404,
          "decision-not-kept",
          "no decision record for event "
              + id
              + " among the latest ones this console keeps (portcullis.console.recent)");
    }
    List<JsonNode> related = new ArrayList<>();
    for (RecentDecisions.Entry e : about) {
      if (e != own) {
        related.add(e.record());
      }
    }
    JsonNode event = null;
    List<String> redacted = null;
    String problem;
    Map<String, Object> input = null;
    if (own.inputTopic() == null || own.inputPartition() == null || own.inputOffset() == null) {
      problem =
          "this decision was not made on the stream (an admission review or a dry run): its input"
              + " is not kept";
    } else {
      input = new LinkedHashMap<>();
      input.put("topic", own.inputTopic());
      input.put("partition", own.inputPartition());
      input.put("offset", own.inputOffset());
      InputRecords.Read read =
          inputs.read(own.inputTopic(), own.inputPartition(), own.inputOffset());
      problem = read.problem();
      if (read.value() != null) {
        try {
          ChangeEvent found = null;
          for (ChangeEvent c : decoder.decode(read.value(), Instant.now()).events()) {
            if (id.equals(c.getId())) {
              found = c; // the last stage of a Kubernetes request is the one decided
            }
          }
          if (found == null) {
            problem = "the input record no longer holds event " + id;
          } else {
            event = found.getRaw();
            redacted = found.getRedacted();
          }
        } catch (InvalidEventException e) {
          problem = "the input record cannot be read again: " + e.getMessage();
        }
      }
    }
    return Response.ok(
            new Detail(
                id,
                own.record(),
                related,
                event,
                redacted,
                event == null ? problem : null,
                input,
                suppressing(own.record()),
                alerts(own.record())))
        .build();
  }

  private List<ExceptionsResource.ExceptionView> suppressing(JsonNode record) {
    Set<String> ids = new LinkedHashSet<>();
    for (JsonNode d : record.path("decisions")) {
      if (d.hasNonNull("exception")) {
        ids.add(d.get("exception").asText());
      }
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    return exceptions.list().exceptions().stream().filter(v -> ids.contains(v.id())).toList();
  }

  private Map<String, AlertsResource.Entry> alerts(JsonNode record) {
    AlertStateStore store = alerting.store();
    Map<String, AlertsResource.Entry> out = new LinkedHashMap<>();
    if (store == null) {
      return out;
    }
    for (JsonNode d : record.path("decisions")) {
      AlertState s = store.get(DedupKeys.ofFinding(record, d));
      if (s != null) {
        out.put(d.path("policy").asText(), AlertsResource.entry(s));
      }
    }
    return out;
  }
}
