package dev.portcullis.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.policy.PolicyEngine;
import dev.portcullis.policy.PolicyException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/exceptions}: every reviewed exception in force, each with its status now ({@code
 * active}, {@code expiring} within {@code portcullis.policy.exceptions.expiry-warning}, or {@code
 * expired}: it then only still applies to older events), and the ids of those expiring soon. The
 * same counts are the gauges {@code portcullis.policy.exceptions{status=...}}.
 */
@Path("/v1/exceptions")
@Produces(MediaType.APPLICATION_JSON)
@ApplicationScoped
public class ExceptionsResource {

  /** One exception and its status now. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ExceptionView(
      String id,
      String policy,
      Map<String, List<String>> match,
      String reason,
      String owner,
      String approvedBy,
      Instant expires,
      String status,
      Long daysLeft,
      String file) {}

  /** The answer. */
  public record ExceptionsView(
      Instant now, String expiringWithin, List<String> expiring, List<ExceptionView> exceptions) {}

  @Inject PolicyEngine engine;
  @Inject PortcullisConfig config;
  @Inject MeterRegistry registry;

  private final Clock clock = Clock.systemUTC();

  void registerGauges(@Observes StartupEvent ev) {
    for (String status : List.of("active", "expiring", "expired")) {
      Gauge.builder("portcullis.policy.exceptions", this, r -> r.count(status))
          .description(
              "Exceptions in force by status now: active, expiring (within the warning window),"
                  + " expired")
          .tag("status", status)
          .register(registry);
    }
  }

  @GET
  public ExceptionsView list() {
    Instant now = clock.instant();
    List<ExceptionView> views =
        engine.current().exceptions().stream()
            .map(
                e ->
                    new ExceptionView(
                        e.id(),
                        e.policy(),
                        e.match(),
                        e.reason(),
                        e.owner(),
                        e.approvedBy(),
                        e.expires(),
                        status(e, now),
                        e.activeAt(now) ? Duration.between(now, e.expires()).toDays() : null,
                        e.file()))
            .toList();
    return new ExceptionsView(
        now,
        window().toString(),
        views.stream().filter(v -> v.status().equals("expiring")).map(ExceptionView::id).toList(),
        views);
  }

  private Duration window() {
    return config.policy().exceptions().expiryWarning();
  }

  private String status(PolicyException e, Instant now) {
    if (!e.activeAt(now)) {
      return "expired";
    }
    return e.expiresWithin(now, window()) ? "expiring" : "active";
  }

  private double count(String status) {
    Instant now = clock.instant();
    return engine.current().exceptions().stream()
        .filter(e -> status(e, now).equals(status))
        .count();
  }
}
