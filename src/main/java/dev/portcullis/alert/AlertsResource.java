package dev.portcullis.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.api.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /v1/alerts}: what alerting knows.
 *
 * <ul>
 *   <li>{@code GET /v1/alerts} lists the problems paged and not resolved (add {@code ?all=true} for
 *       resolved ones too): policy, severity, target, how many times it happened in its window,
 *       first and last time, which sinks got it and which deliveries are still owed. {@code GET
 *       /v1/alerts/sinks} shows each sink's circuit, backlog and last error.
 *   <li>{@code POST /v1/alerts/{dedupKey}/resolve} with an optional {@code {"reason": "..."}}
 *       resolves a problem by hand: {@code 202} once the resolve is on the pending-alerts topic,
 *       {@code 404} when no open problem has that key.
 * </ul>
 */
@Path("/v1/alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertsResource {

  /** One problem as listed. */
  public record Entry(
      String dedupKey,
      String status,
      String policy,
      String severity,
      String action,
      String summary,
      String target,
      String owner,
      String runbook,
      long count,
      Instant firstSeen,
      Instant lastSeen,
      Instant windowEnd,
      Instant resolvedAt,
      String resolveReason,
      List<String> sinks,
      List<AlertState.Obligation> owed) {}

  @Inject AlertBootstrap bootstrap;
  @Inject AlertPublisher publisher;
  @Inject AlertSinks sinks;
  @Inject ObjectMapper json;

  @GET
  public List<Entry> list(@QueryParam("all") boolean all) {
    AlertStateStore store = bootstrap.store();
    if (store == null) {
      return List.of();
    }
    return store.all().stream()
        .filter(s -> all || s.status() == AlertState.Status.OPEN)
        .sorted(Comparator.comparing(AlertState::updatedAt).reversed())
        .map(AlertsResource::entry)
        .toList();
  }

  @GET
  @Path("/sinks")
  public List<SinkWorker.Health> sinks() {
    return sinks.workers().stream().map(SinkWorker::health).toList();
  }

  @POST
  @Path("/{dedupKey}/resolve")
  @Consumes(MediaType.WILDCARD)
  public CompletionStage<Response> resolve(@PathParam("dedupKey") String dedupKey, byte[] body) {
    AlertStateStore store = bootstrap.store();
    AlertState s = store == null ? null : store.get(dedupKey);
    if (s == null || s.status() != AlertState.Status.OPEN) {
      return CompletableFuture.completedFuture(
          error(404, "alert-not-open", "no open alert has dedup key " + dedupKey));
    }
    String reason = "resolved by hand";
    if (body != null && body.length > 0) {
      try {
        JsonNode r = json.readTree(body).path("reason");
        if (r.isTextual() && !r.asText().isBlank()) {
          reason = r.asText();
        }
      } catch (IOException e) {
        return CompletableFuture.completedFuture(
            error(400, "not-json", "the body is not JSON: " + e.getMessage()));
      }
    }
    return publisher
        .resolve(dedupKey, reason, null)
        .thenApply(v -> Response.accepted(entry(s)).build());
  }

  private static Response error(int status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(new ApiError(status, code, message, Map.of()))
        .build();
  }

  public static Entry entry(AlertState s) {
    PendingAlert a = s.alert();
    return new Entry(
        s.dedupKey(),
        s.status().wireName(),
        a == null ? null : a.policy(),
        a == null || a.severity() == null ? null : a.severity().wireName(),
        a == null || a.action() == null ? null : a.action().wireName(),
        a == null ? null : a.summary(),
        a == null ? null : a.targetRef(),
        a == null ? null : a.owner(),
        a == null ? null : a.runbook(),
        s.count(),
        s.firstSeen(),
        s.lastSeen(),
        s.windowEnd(),
        s.resolvedAt(),
        s.resolveReason(),
        s.sinks(),
        s.owed());
  }
}
