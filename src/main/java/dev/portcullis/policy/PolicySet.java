package dev.portcullis.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.JsonMerge;
import dev.portcullis.event.ChangeEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kie.api.KieBase;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.StatelessKieSession;

/**
 * One compiled, immutable generation of the policies: the rule base, each policy's metadata, which
 * policy each rule belongs to, and the reviewed exceptions. Safe for concurrent callers: each
 * evaluation runs in its own stateless session with its own {@link Verdicts}.
 */
public final class PolicySet {

  private final KieBase kieBase;
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
    StatelessKieSession session = kieBase.newStatelessKieSession();
    session.setGlobal(PolicyCompiler.VERDICTS_GLOBAL, verdicts);
    List<Object> all = new ArrayList<>(1 + facts.size());
    all.add(event);
    all.addAll(facts);
    session.execute(all);
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
