package dev.portcullis.policy;

import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.event.ChangeEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Judges one change event and produces its {@link DecisionRecord}; the one path both the stream and
 * {@code POST /v1/evaluate} go through: enrichment facts first ({@link Enrichment} asking the
 * {@link Lookups} in force), then the policies in force (enforcement overrides, exceptions judged
 * by event time). Counts decisions per policy and action and times each evaluation.
 */
@ApplicationScoped
public class ChangeEvaluator {

  private final PolicyEngine engine;
  private final Enrichment enrichment;
  private final Lookups lookups;
  private final MeterRegistry registry;
  private final Timer evaluationTimer;
  private final Map<String, Counter> decisionCounters = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();

  @Inject
  public ChangeEvaluator(
      PolicyEngine engine, MeterRegistry registry, Enrichment enrichment, Lookups lookups) {
    this.engine = engine;
    this.enrichment = enrichment;
    this.lookups = lookups;
    this.registry = registry;
    this.evaluationTimer =
        Timer.builder("portcullis.evaluation")
            .description("Time to evaluate one change event against every policy")
            .publishPercentileHistogram()
            .register(registry);
  }

  /**
   * Evaluates an event.
   *
   * @param receivedAt when its input reached Portcullis
   * @throws RuntimeException when a rule fails; the caller dead-letters the event
   */
  public DecisionRecord evaluate(ChangeEvent event, Instant receivedAt) {
    PolicySet set = engine.current();
    long start = System.nanoTime();
    List<Decision> decisions;
    try {
      decisions = set.evaluate(event, enrichment.facts(event, lookups), engine.overrides());
    } finally {
      evaluationTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    return DecisionRecord.of(event, receivedAt, clock.instant(), set.version(), decisions);
  }

  /** Counts the decisions of a record once it is written (or answered). */
  public void count(DecisionRecord record) {
    for (Decision d : record.decisions()) {
      String key = d.policy() + "\u0000" + d.action().wireName();
      decisionCounters
          .computeIfAbsent(
              key,
              k ->
                  Counter.builder("portcullis.decisions")
                      .description("Decisions made, per policy and effective action")
                      .tag("policy", d.policy())
                      .tag("action", d.action().wireName())
                      .register(registry))
          .increment();
    }
  }
}
