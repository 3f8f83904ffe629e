package dev.portcullis.ingest;

import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.InvalidEventException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stream's counters and timers. Every tag has a small fixed set of values (source, reason code,
 * lag basis): never an ARN, a name or a user.
 */
@ApplicationScoped
@Startup // built at start-up, so its series exist (at zero) before the first event: alerts see them
public class PipelineMetrics {

  /** The reasons the stream writes a dead letter for; each is exported from start-up at zero. */
  static final List<String> DEAD_LETTER_REASONS =
      List.of(
          InvalidEventException.EMPTY,
          InvalidEventException.TOO_LARGE,
          InvalidEventException.BAD_GZIP,
          InvalidEventException.NOT_JSON,
          InvalidEventException.UNSUPPORTED_SHAPE,
          InvalidEventException.INVALID_RECORD,
          InvalidEventException.MISSING_FIELD,
          InvalidEventException.WRONG_TYPE,
          "invalid-change-record"); // Judge.INVALID_CHANGE_RECORD

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer lagFromEventTime;
  private final Timer lagFromArrival;
  // Counted once a record on the stream thread: kept, not looked up by a built key each time.
  private final Counter consumedCloudTrail;
  private final Counter consumedK8sAudit;
  private final Counter changeRecordsHandedOver;
  private final Counter changeRecordsParsed;

  public PipelineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.lagFromEventTime = lag("event-time");
    this.lagFromArrival = lag("arrival");
    // Zero-valued series from start-up: rate() and increase() count the first event too.
    this.consumedCloudTrail = consumedCounter(ChangeEvent.CLOUDTRAIL);
    this.consumedK8sAudit = consumedCounter(ChangeEvent.K8S_AUDIT);
    this.changeRecordsHandedOver = changeRecordsCounter("handed-over");
    this.changeRecordsParsed = changeRecordsCounter("parsed");
    for (String reason : DEAD_LETTER_REASONS) {
      deadLetterCounter(reason);
    }
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
    Counter counter =
        switch (source) {
          case ChangeEvent.CLOUDTRAIL -> consumedCloudTrail;
          case ChangeEvent.K8S_AUDIT -> consumedK8sAudit;
          default -> consumedCounter(source);
        };
    counter.increment();
  }

  private Counter consumedCounter(String source) {
    return counter("portcullis.events.consumed", "Change events read from Kafka", "source", source);
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
    deadLetterCounter(reason).increment();
  }

  private Counter deadLetterCounter(String reason) {
    return counter(
        "portcullis.dead.letters",
        "Inputs written to the dead-letter topic, per reason",
        "reason",
        reason);
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

  /**
   * A record of the changes topic the judge took decoded from this process's decode ({@code
   * handed-over}), or parsed from the topic ({@code parsed}: written by another instance, or no
   * longer kept).
   */
  public void handedOver(boolean handedOver) {
    (handedOver ? changeRecordsHandedOver : changeRecordsParsed).increment();
  }

  private Counter changeRecordsCounter(String read) {
    return counter(
        "portcullis.stream.change.records",
        "Records of the changes topic judged, by how the judge got the event",
        "read",
        read);
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
