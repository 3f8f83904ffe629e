package dev.portcullis.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateReader;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
@Startup // built at start-up, so its timer and decision counters exist (at zero) before any event
public class ChangeEvaluator {

  private final PolicyEngine engine;
  private final Enrichment enrichment;
  private final Lookups lookups;
  private final StateReader stateReader;
  private final Map<String, JsonNode> parameterOverrides;
  private volatile ParametersOf parametersOf;
  private final MeterRegistry registry;
  private final Timer evaluationTimer;
  private final Map<String, Counter> decisionCounters = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();

  /** Source of decision records Portcullis makes on its own, later than their event. */
  public static final String DEFERRED_SOURCE = "portcullis";

  /** The merged parameters of one policy set generation, computed once per generation. */
  private record ParametersOf(String version, Map<String, JsonNode> parameters) {}

  @Inject
  public ChangeEvaluator(
      PolicyEngine engine,
      MeterRegistry registry,
      Enrichment enrichment,
      Lookups lookups,
      StateReader stateReader,
      PortcullisConfig config,
      ObjectMapper mapper) {
    this.engine = engine;
    this.enrichment = enrichment;
    this.lookups = lookups;
    this.stateReader = stateReader;
    this.parameterOverrides = readOverrides(config.policy().parameters(), mapper);
    this.registry = registry;
    this.evaluationTimer =
        Timer.builder("portcullis.evaluation")
            .description("Time to evaluate one change event against every policy")
            .publishPercentileHistogram()
            .register(registry);
    // One zero-valued series per loaded policy and its effective action, so the first decision
    // of each is counted by rate() and increase().
    for (PolicyMetadata p : engine.current().policies().values()) {
      decisionCounter(p.id(), engine.effectiveEnforcement(p).wireName());
    }
  }

  private static Map<String, JsonNode> readOverrides(Map<String, String> raw, ObjectMapper mapper) {
    Map<String, JsonNode> out = new HashMap<>();
    raw.forEach(
        (policy, json) -> {
          try {
            JsonNode node = mapper.readTree(json);
            if (node == null || !node.isObject()) {
              throw new IllegalArgumentException("not a JSON object");
            }
            out.put(policy, node);
          } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(
                "portcullis.policy.parameters.\""
                    + policy
                    + "\" must be a JSON object such as {\"accounts\":[\"111122223333\"]}: "
                    + e.getMessage(),
                e);
          }
        });
    return Map.copyOf(out);
  }

  private Map<String, JsonNode> parameters(PolicySet set) {
    ParametersOf p = parametersOf;
    if (p == null || !p.version().equals(set.version())) {
      p = new ParametersOf(set.version(), set.parameters(parameterOverrides));
      parametersOf = p;
    }
    return p.parameters();
  }

  /**
   * Each policy's parameters in force (defaults merged with operator overrides), by policy id; only
   * policies with parameters appear. Read by components that act on decisions (the reverts read the
   * IaC identities from them).
   */
  public Map<String, JsonNode> parameters() {
    return parameters(engine.current());
  }

  /**
   * Evaluates an event without changing any state (a dry run, admission): it reads the state the
   * stream learned about the event's scope where this instance holds it ({@link StateReader}).
   *
   * @param receivedAt when its input reached Portcullis
   * @param recordsState must be false; kept for the callers that say so explicitly
   * @throws RuntimeException when a rule fails
   */
  public DecisionRecord evaluate(ChangeEvent event, Instant receivedAt, boolean recordsState) {
    if (recordsState) {
      throw new IllegalArgumentException("state is recorded on the stream only");
    }
    return evaluate(event, receivedAt, stateReader.read(event), false);
  }

  /**
   * Evaluates an event.
   *
   * @param receivedAt when its input reached Portcullis
   * @param state what earlier events about the same scope left behind
   * @param recordsState true on the stream (fact providers may remember the event); false for a dry
   *     run, which reads state but never changes it
   * @throws RuntimeException when a rule fails; the caller dead-letters the event
   */
  public DecisionRecord evaluate(
      ChangeEvent event, Instant receivedAt, StateStore state, boolean recordsState) {
    PolicySet set = engine.current();
    long start = System.nanoTime();
    List<Decision> decisions;
    try {
      FactContext context = new FactContext(lookups, parameters(set), state, recordsState);
      decisions = set.evaluate(event, enrichment.facts(event, context), engine.overrides());
    } finally {
      evaluationTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    return DecisionRecord.of(event, receivedAt, clock.instant(), set.version(), decisions);
  }

  /**
   * Judges an event as {@link #evaluate(ChangeEvent, Instant, StateStore, boolean)} does, but
   * without lookups (no call leaves the process), without state and without counting it in any
   * metric: for the warm-up of a starting service ({@code stream/WarmUp}).
   */
  public DecisionRecord rehearse(ChangeEvent event, Instant receivedAt) {
    PolicySet set = engine.current();
    FactContext context = new FactContext(Lookups.NONE, parameters(set), new StateStore(), false);
    List<Decision> decisions =
        set.evaluate(event, enrichment.facts(event, context), engine.overrides());
    return DecisionRecord.of(event, receivedAt, clock.instant(), set.version(), decisions);
  }

  /** The policy files in force: where the warm-up finds the test cases' events. */
  public Map<String, byte[]> policyFiles() throws IOException {
    return engine.files();
  }

  /**
   * Judgements of earlier stream events that are due now (e.g. a DNS change whose mirror in the
   * paired zone never came), each as a decision record of its own: source {@code portcullis}, the
   * original event's actor, action and target, and a stable id derived from its id. Only records
   * with a decision are returned. Judged by the policies in force, with enforcement overrides and
   * exceptions (by the original event's time).
   *
   * @param state the state of one scope, from which due judgements are taken
   * @param wallClock now, for judgements due on a quiet stream; null to go by event time alone
   */
  public List<DecisionRecord> due(StateStore state, Instant wallClock) {
    PolicySet set = engine.current();
    FactContext context = new FactContext(lookups, parameters(set), state, true);
    List<DecisionRecord> out = new ArrayList<>();
    for (DueEvaluation due : enrichment.due(context, wallClock)) {
      List<Decision> decisions = set.evaluate(due, engine.overrides());
      if (!decisions.isEmpty()) {
        out.add(
            DecisionRecord.about(
                due.event(), due.id(), DEFERRED_SOURCE, clock.instant(), set.version(), decisions));
      }
    }
    return out;
  }

  /** Counts the decisions of a record once it is written (or answered). */
  public void count(DecisionRecord record) {
    for (Decision d : record.decisions()) {
      decisionCounter(d.policy(), d.action().wireName()).increment();
    }
  }

  private Counter decisionCounter(String policy, String action) {
    return decisionCounters.computeIfAbsent(
        policy + "\u0000" + action,
        k ->
            Counter.builder("portcullis.decisions")
                .description("Decisions made, per policy and effective action")
                .tag("policy", policy)
                .tag("action", action)
                .register(registry));
  }
}
