package dev.portcullis.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.JsonMerge;
import dev.portcullis.enrich.PolicyParameters;
import dev.portcullis.event.ChangeEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.drools.base.base.ClassObjectType;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.base.rule.GroupElement;
import org.drools.base.rule.Pattern;
import org.drools.base.rule.RuleConditionElement;
import org.drools.kiesession.session.StatefulKnowledgeSessionImpl;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;

/**
 * One compiled, immutable generation of the policies: the rule base, each policy's metadata, which
 * policy each rule belongs to, and the reviewed exceptions. Safe for concurrent callers: each
 * evaluation runs in a session of its own (taken from the idle ones or new, emptied after use) with
 * its own {@link Verdicts}.
 */
public final class PolicySet {

  /**
   * Most sessions kept for reuse. A stateful session emptied with {@code reset()} after each event
   * behaves as a fresh stateless one (every fact and activation gone, globals set per event) but
   * keeps its node memories, which a new session builds again for every event: the largest part of
   * an evaluation's cost (docs/benchmarks.md). Sessions belong to this generation of the policies
   * and are dropped with it.
   */
  private static final int MAX_IDLE = 64;

  private final KieBase kieBase;
  private final boolean residentParameters;
  private final ConcurrentLinkedQueue<Pooled> idle = new ConcurrentLinkedQueue<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private final Map<String, PolicyMetadata> policies;
  private final Map<String, String> policyByRule;
  private final String version;
  private final Instant loadedAt;
  private final List<Problem> warnings;
  private final List<PolicyException> exceptions;

  PolicySet(
      KieBase kieBase,
      Map<String, PolicyMetadata> policies,
      Map<String, String> policyByRule,
      String version,
      Instant loadedAt,
      List<Problem> warnings,
      List<PolicyException> exceptions) {
    this.kieBase = kieBase;
    this.residentParameters = everyRuleNeedsAnEventFact(kieBase);
    this.policies = Collections.unmodifiableMap(new LinkedHashMap<>(policies));
    this.policyByRule = Map.copyOf(policyByRule);
    this.version = version;
    this.loadedAt = loadedAt;
    this.warnings = List.copyOf(warnings);
    this.exceptions = List.copyOf(exceptions);
  }

  /**
   * Evaluates one change event: runs the rules, applies the operator's enforcement overrides, and
   * marks as {@code suppressed} every finding an exception waives at the event's time.
   *
   * @param facts extra facts for the rules (enrichment results), inserted beside the event
   * @param overrides enforcement set by the operator per policy id, winning over policy.yaml
   * @return the decisions, in the order the rules fired; empty when no policy objects
   */
  public List<Decision> evaluate(
      ChangeEvent event, Collection<?> facts, Map<String, Enforcement> overrides) {
    Verdicts verdicts = new Verdicts(this::policyOf);
    Pooled pooled = idle.poll();
    if (pooled == null) {
      pooled = new Pooled(kieBase.newKieSession());
    } else {
      idleCount.decrementAndGet();
    }
    boolean clean = false;
    try {
      run(pooled, event, facts, verdicts);
      clean = true;
    } finally {
      // A session that failed half way is not reused: its memory may hold what the failure left.
      if (clean && idleCount.get() < MAX_IDLE) {
        idleCount.incrementAndGet();
        idle.offer(pooled);
      } else {
        pooled.session.dispose();
      }
    }
    List<Verdicts.Finding> findings = verdicts.findings();
    if (findings.isEmpty()) {
      return List.of();
    }
    List<Decision> decisions = new ArrayList<>(findings.size());
    for (Verdicts.Finding f : findings) {
      PolicyMetadata p = policies.get(f.policy());
      Enforcement verdict = p.enforcement();
      Enforcement action = overrides.getOrDefault(p.id(), verdict);
      if (f.neverBlocks()) {
        verdict = verdict == Enforcement.BLOCK ? Enforcement.ALERT : verdict;
        action = action == Enforcement.BLOCK ? Enforcement.ALERT : action;
      }
      Decision d =
          new Decision(
              p.id(),
              action,
              verdict,
              f.severity() != null ? f.severity() : p.severity(),
              f.summary(),
              p.title(),
              p.runbook(),
              f.rule(),
              f.details());
      PolicyException waiver = exceptionFor(p.id(), event);
      decisions.add(waiver == null ? d : d.suppressedBy(waiver.id()));
    }
    return decisions;
  }

  /**
   * One evaluation in a reused session. The event and its facts are inserted, the rules fired, and
   * those facts deleted again, so the next event finds the session as a new one would be. Policy
   * parameters stay inserted while they do not change (they are the same for every event of a
   * generation; inserting them anew was about 40 % of an evaluation's cost): this is only done when
   * every rule needs a fact of the event to match ({@link #residentParameters}), so no rule can
   * fire on parameters alone, and the session is emptied whenever a rule left a fact behind.
   */
  private void run(Pooled p, ChangeEvent event, Collection<?> facts, Verdicts verdicts) {
    KieSession session = p.session;
    session.setGlobal(PolicyCompiler.VERDICTS_GLOBAL, verdicts);
    List<FactHandle> handles = new ArrayList<>(1 + facts.size());
    handles.add(session.insert(event));
    int parameters = 0;
    for (Object f : facts) {
      if (residentParameters && f instanceof PolicyParameters pp) {
        parameters++;
        FactHandle h = p.parameters.get(pp.policy());
        PolicyParameters old = h == null ? null : (PolicyParameters) session.getObject(h);
        if (old != null && (old.values() == pp.values() || old.equals(pp))) {
          continue;
        }
        if (old != null) {
          session.delete(h);
        }
        p.parameters.put(pp.policy(), session.insert(pp));
      } else {
        handles.add(session.insert(f));
      }
    }
    if (parameters != p.parameters.size()) {
      // Parameters held that this event does not bring (another caller's set of policies): start
      // the session again, with every fact of this event inserted for this event only.
      resetSession(p);
      session.setGlobal(PolicyCompiler.VERDICTS_GLOBAL, verdicts);
      handles.clear();
      handles.add(session.insert(event));
      for (Object f : facts) {
        handles.add(session.insert(f));
      }
    }
    session.fireAllRules();
    for (FactHandle h : handles) {
      session.delete(h); // a no-op for a fact a rule deleted itself
    }
    if (session.getFactCount() != p.parameters.size()) {
      resetSession(p); // a rule inserted facts of its own
    }
  }

  private static void resetSession(Pooled p) {
    ((StatefulKnowledgeSessionImpl) p.session).reset();
    p.parameters.clear();
  }

  /** Whether policy parameters stay inserted in reused sessions (see {@link #run}). */
  boolean keepsParameters() {
    return residentParameters;
  }

  /** A session kept for reuse, with the policy parameters it holds (by policy id). */
  private static final class Pooled {
    final KieSession session;
    final Map<String, FactHandle> parameters = new HashMap<>();

    Pooled(KieSession session) {
      this.session = session;
    }
  }

  /**
   * Whether every rule needs, to match, a fact that is not a {@link PolicyParameters}: a positive
   * pattern of another type with no {@code from} source, at the top of its conditions (in each
   * branch of an {@code or}). Then parameters can stay in a reused session without a rule firing on
   * them alone.
   */
  static boolean everyRuleNeedsAnEventFact(KieBase base) {
    for (KiePackage pkg : base.getKiePackages()) {
      for (Rule r : pkg.getRules()) {
        if (!(r instanceof RuleImpl impl) || !anchored(impl.getLhs())) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean anchored(RuleConditionElement e) {
    if (e instanceof Pattern pattern) {
      return !pattern.isPassive()
          && pattern.getSource() == null
          && pattern.getObjectType() instanceof ClassObjectType type
          && type.getClassType() != PolicyParameters.class;
    }
    if (e instanceof GroupElement g) {
      if (g.isAnd()) {
        return g.getChildren().stream().anyMatch(PolicySet::anchored);
      }
      if (g.isOr()) {
        return !g.getChildren().isEmpty() && g.getChildren().stream().allMatch(PolicySet::anchored);
      }
    }
    return false;
  }

  /**
   * Evaluates a judgement that fell due after its event (a DNS change whose mirror never came): the
   * original event with the due facts, keeping only the decisions of the policy it is for (the
   * others judged the event when it arrived).
   */
  public List<Decision> evaluate(DueEvaluation due, Map<String, Enforcement> overrides) {
    return evaluate(due.event(), due.facts(), overrides).stream()
        .filter(d -> d.policy().equals(due.policy()))
        .toList();
  }

  /** The first exception (by id) that waives this policy's finding on this event, or null. */
  PolicyException exceptionFor(String policyId, ChangeEvent event) {
    for (PolicyException e : exceptions) {
      if (e.suppresses(policyId, event)) {
        return e;
      }
    }
    return null;
  }

  private String policyOf(Rule rule) {
    String id = policyByRule.get(PolicyCompiler.ruleKey(rule));
    if (id == null) {
      // The compiler maps every rule of a policy folder; a rule outside one cannot flag.
      throw new IllegalStateException(
          "rule '" + rule.getName() + "' belongs to no policy and cannot record a finding");
    }
    return id;
  }

  /**
   * Each policy's parameters with overrides merged over its defaults; only policies that have
   * parameters (or overrides) appear.
   *
   * @param overrides per policy id, a JSON object merged over the policy.yaml defaults
   */
  public Map<String, JsonNode> parameters(Map<String, JsonNode> overrides) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (PolicyMetadata p : policies.values()) {
      JsonNode merged = JsonMerge.merge(p.parameters(), overrides.get(p.id()));
      if (merged.size() > 0) {
        out.put(p.id(), merged);
      }
    }
    return out;
  }

  /** Loaded policies by id, in folder order. */
  public Map<String, PolicyMetadata> policies() {
    return policies;
  }

  /** Content hash of the rules, metadata and exceptions; changes whenever any of them changes. */
  public String version() {
    return version;
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  /** Problems that did not stop loading (lint findings, unknown fields, expired exceptions). */
  public List<Problem> warnings() {
    return warnings;
  }

  /** The reviewed exceptions, by id. */
  public List<PolicyException> exceptions() {
    return exceptions;
  }
}
