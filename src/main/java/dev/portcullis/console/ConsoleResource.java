package dev.portcullis.console;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.portcullis.api.ConsoleSessions;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /v1/console}: what the web console's script needs besides the other {@code /v1} APIs.
 *
 * <ul>
 *   <li>{@code GET /v1/console/session}: whether a login is needed, how this request was let in,
 *       and the CSRF token the script sends with every change it asks for.
 *   <li>{@code GET /v1/console/charts}: the last hour per minute: decisions per policy (all
 *       instances, from the decisions topic), dead letters and decision lag (this instance's
 *       meters).
 * </ul>
 */
@Path("/v1/console")
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleResource {

  /** The session as the script sees it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Session(boolean tokenRequired, String via, String csrf) {}

  /** Per-minute series, all of the same length as {@code minutes}. */
  public record Charts(
      List<Instant> minutes,
      Map<String, List<Integer>> decisionsByPolicy,
      List<Long> deadLetters,
      List<Double> lagMeanMs,
      List<Double> lagMaxMs,
      String problem) {}

  @Inject ConsoleSessions sessions;
  @Inject RecentDecisions recent;
  @Inject ConsoleSeries series;

  @GET
  @Path("/session")
  public Session session(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @CookieParam(ConsoleSessions.COOKIE) String cookie) {
    if (!sessions.required()) {
      return new Session(false, "open", null);
    }
    // The token filter let this request in: by bearer token, or by a valid cookie.
    if (authorization == null && sessions.valid(cookie)) {
      return new Session(true, "cookie", sessions.csrf(cookie));
    }
    return new Session(true, "bearer", null);
  }

  @GET
  @Path("/charts")
  public Charts charts() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    List<Instant> minutes = new ArrayList<>();
    for (int i = RecentDecisions.CHART_MINUTES - 1; i >= 0; i--) {
      minutes.add(now.minus(i, ChronoUnit.MINUTES));
    }
    Map<Instant, Map<String, Integer>> decided = recent.perMinute();
    Map<String, List<Integer>> byPolicy = new TreeMap<>();
    for (Map<String, Integer> counts : decided.values()) {
      counts.keySet().forEach(p -> byPolicy.computeIfAbsent(p, k -> new ArrayList<>()));
    }
    Map<Instant, ConsoleSeries.Minute> own = series.minutes();
    List<Long> dead = new ArrayList<>();
    List<Double> mean = new ArrayList<>();
    List<Double> max = new ArrayList<>();
    for (Instant m : minutes) {
      Map<String, Integer> counts = decided.getOrDefault(m, Map.of());
      byPolicy.forEach((p, l) -> l.add(counts.getOrDefault(p, 0)));
      ConsoleSeries.Minute s = own.get(m);
      dead.add(s == null ? 0 : s.deadLetters());
      mean.add(s == null ? 0 : Math.round(s.lagMeanMs() * 10) / 10.0);
      max.add(s == null ? 0 : Math.round(s.lagMaxMs() * 10) / 10.0);
    }
    return new Charts(minutes, byPolicy, dead, mean, max, recent.problem());
  }
}
