package dev.portcullis.ingest;

import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.DecisionRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Writes decisions that fall due after their event: a DNS change in a paired zone whose mirror did
 * not come within the window ({@code dns-zone-split-brain}). On a timer ({@code
 * portcullis.dns.split-brain.check-every}) it asks {@link ChangeEvaluator#due} for the judgements
 * the stream's events made due (the event-time watermark passed their window) or that a quiet
 * stream left waiting past their window on the wall clock, and writes each as its own decision
 * record to the decisions topic: source {@code portcullis}, keyed by a stable id derived from the
 * original event's id, judged by the policies in force (enforcement overrides and exceptions
 * apply).
 *
 * <p>Writes through {@link DecisionRecordWriter}. What is waiting lives in memory: a restart
 * forgets it (see {@code docs/policies.md}, dns-zone-split-brain).
 */
@ApplicationScoped
public class DeferredDecisions {

  private static final Logger LOG = Logger.getLogger(DeferredDecisions.class);

  private final ChangeEvaluator evaluator;
  private final DecisionRecordWriter writer;
  private final Counter written;
  private final Counter failures;
  private final Clock clock = Clock.systemUTC();

  @Inject
  public DeferredDecisions(
      ChangeEvaluator evaluator, DecisionRecordWriter writer, MeterRegistry registry) {
    this.evaluator = evaluator;
    this.writer = writer;
    this.written =
        Counter.builder("portcullis.deferred.decisions")
            .description("Decisions written after their event (e.g. a DNS mirror that never came)")
            .tag("result", "written")
            .register(registry);
    this.failures =
        Counter.builder("portcullis.deferred.decisions")
            .description("Decisions written after their event (e.g. a DNS mirror that never came)")
            .tag("result", "failed")
            .register(registry);
  }

  // Not before the application runs: the decisions channel is connected during start-up.
  @Scheduled(
      every = "${portcullis.dns.split-brain.check-every:PT5S}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = Scheduled.ApplicationNotRunning.class)
  void check() {
    List<DecisionRecord> due;
    try {
      due = evaluator.due(clock.instant());
    } catch (RuntimeException e) {
      failures.increment();
      LOG.errorf(e, "Could not judge the decisions that fell due");
      return;
    }
    due.forEach(this::write);
  }

  private void write(DecisionRecord record) {
    writer
        .write(record)
        .whenComplete(
            (ok, t) -> {
              if (t != null) {
                failures.increment();
                LOG.errorf(t, "The decision record %s was not written", record.eventId());
              } else {
                written.increment();
                evaluator.count(record);
              }
            });
  }
}
