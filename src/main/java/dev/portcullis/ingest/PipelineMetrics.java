package dev.portcullis.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stream's counters and timers. Every tag has a small fixed set of values (source, reason code,
 * lag basis): never an ARN, a name or a user.
 */
@ApplicationScoped
public class PipelineMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer lagFromEventTime;
  private final Timer lagFromArrival;

  public PipelineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.lagFromEventTime = lag("event-time");
    this.lagFromArrival = lag("arrival");
  }

  private Timer lag(String from) {
    return Timer.builder("portcullis.decision.lag")
        .description("Time from the event (event time) or its arrival in Kafka to its decision")
        .tag("from", from)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofHours(1))
        .register(registry);
  }

  public void consumed(String source) {
    counter("portcullis.events.consumed", "Change events read from Kafka", "source", source)
        .increment();
  }

  public void duplicate(String source) {
    counter(
            "portcullis.events.duplicates",
            "Change events dropped as a second delivery of an event already decided",
            "source",
            source)
        .increment();
  }

  public void backfilled(String source) {
    counter(
            "portcullis.events.backfilled",
            "Change events the stream had not delivered, decided from a CloudTrail lookup",
            "source",
            source)
        .increment();
  }

  public void deadLetter(String reason) {
    counter(
            "portcullis.dead.letters",
            "Inputs written to the dead-letter topic, per reason",
            "reason",
            reason)
        .increment();
  }

  public void decided(Duration sinceEvent, Duration sinceArrival) {
    if (!sinceEvent.isNegative()) {
      lagFromEventTime.record(sinceEvent);
    }
    if (!sinceArrival.isNegative()) {
      lagFromArrival.record(sinceArrival);
    }
  }

  private Counter counter(String name, String description, String tag, String value) {
    return counters.computeIfAbsent(
        name + '\u0000' + value,
        k -> Counter.builder(name).description(description).tag(tag, value).register(registry));
  }

  /** A decision made after its event (a DNS mirror that never came): written, or failed. */
  public void deferred(boolean written) {
    counter(
            "portcullis.deferred.decisions",
            "Decisions written after their event (e.g. a DNS mirror that never came)",
            "result",
            written ? "written" : "failed")
        .increment();
  }
}
