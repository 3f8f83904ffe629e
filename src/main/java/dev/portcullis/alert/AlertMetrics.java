package dev.portcullis.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Alerting's counters, timers and gauges. Tags have small fixed sets of values: sink names come
 * from configuration, policy ids from the policy folder, outcomes and kinds from code; never a
 * target, an actor or a URL.
 *
 * <ul>
 *   <li>{@code portcullis.alerts.routed{policy,kind}}: pending alerts written by the router
 *   <li>{@code portcullis.alert.dedup{outcome}}: what each pending alert turned out to be (page,
 *       repeat, stale, resolve, not-open, redelivered, already-applied)
 *   <li>{@code portcullis.alert.deliveries{sink,kind,outcome}}: calls to sinks (delivered, failed,
 *       rejected, gave-up, cancelled, unconfigured)
 *   <li>{@code portcullis.alert.delivery.latency{sink}}: from the decision to take a delivery to
 *       its acknowledgement by the sink, retries included
 *   <li>{@code portcullis.alert.backlog{sink}}, {@code portcullis.alert.circuit.open{sink}}: gauges
 *   <li>{@code portcullis.alert.invalid}: unreadable input dead-lettered
 * </ul>
 */
@ApplicationScoped
public class AlertMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public AlertMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void routed(String policy, PendingAlert.Kind kind) {
    counter(
            "portcullis.alerts.routed",
            "Pending alerts written from decisions, per policy and kind",
            "policy",
            policy == null ? "unknown" : policy,
            "kind",
            kind.wireName())
        .increment();
  }

  void dedup(Deduplicator.Outcome outcome) {
    counter(
            "portcullis.alert.dedup",
            "What each pending alert was: a page, a repeat folded into one, a resolve, ...",
            "outcome",
            outcome.tag)
        .increment();
  }

  void delivery(String sink, PendingAlert.Kind kind, String outcome) {
    deliveries(sink, kind, outcome).increment();
  }

  private Counter deliveries(String sink, PendingAlert.Kind kind, String outcome) {
    return counter(
        "portcullis.alert.deliveries",
        "Calls to alert sinks, per sink, kind and outcome",
        "sink",
        sink,
        "kind",
        kind.wireName(),
        "outcome",
        outcome);
  }

  void delivered(String sink, Duration sinceQueued) {
    timers
        .computeIfAbsent(
            sink,
            s ->
                Timer.builder("portcullis.alert.delivery.latency")
                    .description("Time from queueing a delivery to its acknowledgement by the sink")
                    .tag("sink", s)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofHours(6))
                    .register(registry))
        .record(sinceQueued);
  }

  void invalid(String reason) {
    counter(
            "portcullis.alert.invalid",
            "Unreadable decisions or pending alerts, dead-lettered",
            "reason",
            reason)
        .increment();
  }

  void sinkGauges(String sink, Supplier<Number> backlog, Supplier<Number> circuitOpen) {
    // Zero-valued delivery series per configured sink, so increase() counts the first failure too.
    for (PendingAlert.Kind kind : PendingAlert.Kind.values()) {
      for (String outcome : List.of("delivered", "rejected", "failed", "gave-up")) {
        deliveries(sink, kind, outcome);
      }
    }
    io.micrometer.core.instrument.Gauge.builder("portcullis.alert.backlog", backlog)
        .description("Deliveries queued for a sink and not yet acknowledged")
        .tag("sink", sink)
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder("portcullis.alert.circuit.open", circuitOpen)
        .description("1 while the sink's circuit breaker is open or half-open, else 0")
        .tag("sink", sink)
        .register(registry);
  }

  void openAlerts(Supplier<Number> open) {
    io.micrometer.core.instrument.Gauge.builder("portcullis.alert.open", open)
        .description("Problems paged and not resolved, whose state is kept")
        .register(registry);
  }

  private Counter counter(String name, String description, String... tags) {
    String key = name + '\u0000' + String.join("\u0000", tags);
    return counters.computeIfAbsent(
        key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }
}
