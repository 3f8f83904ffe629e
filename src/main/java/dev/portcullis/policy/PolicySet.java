package dev.portcullis.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.JsonMerge;
import dev.portcullis.enrich.ParameterSet;
import dev.portcullis.enrich.PolicyParameters;
import dev.portcullis.event.ChangeEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.drools.base.base.ClassObjectType;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.base.rule.EntryPointId;
import org.drools.base.rule.GroupElement;
import org.drools.base.rule.Pattern;
import org.drools.base.rule.RuleConditionElement;
import org.drools.kiesession.session.StatefulKnowledgeSessionImpl;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.EntryPoint;
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
  private final PolicyRoutes routes;
  private final boolean residentParameters;

  /** Every rule needs a routed event: an event no route takes cannot make any rule fire. */
  private final boolean onlyRoutedEvents;

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
      PolicyRoutes routes,
      String version,
      Instant loadedAt,
      List<Problem> warnings,
      List<PolicyException> exceptions) {
    this.kieBase = kieBase;
    this.routes = routes;
    this.residentParameters = everyRule(kieBase, PolicySet::needsAnEventFact);
    this.onlyRoutedEvents = everyRule(kieBase, PolicySet::needsARoutedEvent);
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
    List<String> entryPoints = routes.of(event);
    if (entryPoints.isEmpty() && onlyRoutedEvents) {
      return List.of(); // no policy looks at this source and action
    }
    Verdicts verdicts = new Verdicts(this::policyOf);
    Pooled pooled = idle.poll();
    if (pooled == null) {
      pooled = new Pooled(kieBase.newKieSession());
    } else {
      idleCount.decrementAndGet();
    }
    boolean clean = false;
    try {
      run(pooled, event, entryPoints, facts, verdicts);
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
   * those facts deleted again, so the next event finds the session as a new one would be. The
   * policies' parameters ({@link ParameterSet}) stay inserted while they are the same group (they
   * are the same for every event of a generation; inserting them anew was about 40 % of an
   * evaluation's cost with six policies, and more than the rules with a thousand): this is only
   * done when every rule needs a fact of the event to match ({@link #residentParameters}), so no
   * rule can fire on parameters alone, and the session is emptied whenever a rule left a fact
   * behind or deleted one of them.
   */
  private void run(
      Pooled p,
      ChangeEvent event,
      List<String> entryPoints,
      Collection<?> facts,
      Verdicts verdicts) {
    KieSession session = p.session;
    ParameterSet parameters = null;
    if (residentParameters) {
      for (Object f : facts) {
        if (f instanceof ParameterSet ps) {
          parameters = ps;
          break;
        }
      }
    }
    if (p.parameters != parameters && p.parameters != null) {
      resetSession(p); // other parameters, or none (another caller): held ones must not answer
    }
    if (parameters != null && p.parameters == null) {
      for (PolicyParameters pp : parameters.all()) {
        session.insert(pp);
      }
      p.parameters = parameters;
    }
    session.setGlobal(PolicyCompiler.VERDICTS_GLOBAL, verdicts);
    List<EntryPoint> routed = new ArrayList<>(entryPoints.size());
    List<FactHandle> routedHandles = new ArrayList<>(entryPoints.size());
    insertEvent(session, event, entryPoints, routed, routedHandles);
    List<FactHandle> handles = new ArrayList<>(facts.size());
    for (Object f : facts) {
      if (f == parameters) {
        continue; // held
      } else if (f instanceof ParameterSet ps) {
        for (PolicyParameters pp : ps.all()) {
          handles.add(session.insert(pp));
        }
      } else {
        handles.add(session.insert(f));
      }
    }
    session.fireAllRules();
    for (int i = 0; i < routed.size(); i++) {
      routed.get(i).delete(routedHandles.get(i)); // a no-op when a rule deleted the event
    }
    for (FactHandle h : handles) {
      session.delete(h); // a no-op for a fact a rule deleted itself
    }
    int held = p.parameters == null ? 0 : p.parameters.all().size();
    if (session.getFactCount() != held) {
      resetSession(p); // a rule inserted facts of its own, or deleted a parameter
    }
  }

  /** The event goes into the entry point of each route that takes it ({@link PolicyRoutes}). */
  private static void insertEvent(
      KieSession session,
      ChangeEvent event,
      List<String> entryPoints,
      List<EntryPoint> routed,
      List<FactHandle> handles) {
    for (String name : entryPoints) {
      EntryPoint ep = session.getEntryPoint(name);
      if (ep != null) { // null when no rule of the route has a ChangeEvent pattern
        routed.add(ep);
        handles.add(ep.insert(event));
      }
    }
  }

  private static void resetSession(Pooled p) {
    ((StatefulKnowledgeSessionImpl) p.session).reset();
    p.parameters = null;
  }

  /** Whether policy parameters stay inserted in reused sessions (see {@link #run}). */
  boolean keepsParameters() {
    return residentParameters;
  }

  /** A session kept for reuse, with the policy parameters it holds (null: none). */
  private static final class Pooled {
    final KieSession session;
    ParameterSet parameters;

    Pooled(KieSession session) {
      this.session = session;
    }
  }

  /**
   * Whether every rule needs, to match, a positive pattern that {@code anchor} accepts at the top
   * of its conditions (in each branch of an {@code or}). With {@link #needsAnEventFact}: parameters
   * can stay in a reused session without a rule firing on them alone. With {@link
   * #needsARoutedEvent}: an event that no route takes cannot make a rule fire, and is not evaluated
   * at all.
   */
  private static boolean everyRule(KieBase base, Predicate<Pattern> anchor) {
    for (KiePackage pkg : base.getKiePackages()) {
      for (Rule r : pkg.getRules()) {
        if (!(r instanceof RuleImpl impl) || !anchored(impl.getLhs(), anchor)) {
          return false;
        }
      }
    }
    return true;
  }

  /** A fact inserted for the event (on the default entry point or a route's), not a parameter. */
  private static boolean needsAnEventFact(Pattern pattern) {
    return (pattern.getSource() == null || routed(pattern))
        && pattern.getObjectType() instanceof ClassObjectType type
        && type.getClassType() != PolicyParameters.class;
  }

  /** The event itself, on the entry point of a route. */
  private static boolean needsARoutedEvent(Pattern pattern) {
    return routed(pattern);
  }

  private static boolean routed(Pattern pattern) {
    return pattern.getSource() instanceof EntryPointId ep
        && ep.getEntryPointId().startsWith(PolicyRoutes.ENTRY_POINT_PREFIX);
  }

  /**
   * Whether the conditions need a positive pattern that {@code anchor} accepts: at the top (or in
   * each branch of an {@code or}).
   */
  private static boolean anchored(RuleConditionElement e, Predicate<Pattern> anchor) {
    if (e instanceof Pattern pattern) {
      return !pattern.isPassive() && anchor.test(pattern);
    }
    if (e instanceof GroupElement g) {
      if (g.isAnd()) {
        return g.getChildren().stream().anyMatch(c -> anchored(c, anchor));
      }
      if (g.isOr()) {
        return !g.getChildren().isEmpty()
            && g.getChildren().stream().allMatch(c -> anchored(c, anchor));
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
