package dev.portcullis.policy;

import dev.portcullis.event.ChangeEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.kie.api.KieBase;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.StatelessKieSession;

/**
 * One compiled, immutable generation of the policies: the rule base, each policy's metadata, and
 * which policy each rule belongs to. Safe for concurrent callers: each evaluation runs in its own
 * stateless session with its own {@link Verdicts}.
 */
public final class PolicySet {

  private final KieBase kieBase;
  private final Map<String, PolicyMetadata> policies;
  private final Map<String, String> policyByRule;
  private final String version;
  private final Instant loadedAt;
  private final List<String> warnings;

  PolicySet(
      KieBase kieBase,
      Map<String, PolicyMetadata> policies,
      Map<String, String> policyByRule,
      String version,
      Instant loadedAt,
      List<String> warnings) {
    this.kieBase = kieBase;
    this.policies = Map.copyOf(policies);
    this.policyByRule = Map.copyOf(policyByRule);
    this.version = version;
    this.loadedAt = loadedAt;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Evaluates one change event.
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
      decisions.add(
          new Decision(
              p.id(),
              action,
              verdict,
              f.severity() != null ? f.severity() : p.severity(),
              f.summary(),
              p.title(),
              p.runbook(),
              f.rule(),
              f.details()));
    }
    return decisions;
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

  /** Loaded policies by id. */
  public Map<String, PolicyMetadata> policies() {
    return policies;
  }

  /** Content hash of every policy file; changes whenever any policy changes. */
  public String version() {
    return version;
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  /** Problems that did not stop loading. */
  public List<String> warnings() {
    return warnings;
  }
}
