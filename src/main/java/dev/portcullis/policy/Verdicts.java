package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.rule.RuleContext;

/**
 * The only thing a rule consequence touches: it records a finding, and nothing else (no I/O, no
 * logging, no clock). Declared in DRL as {@code global dev.portcullis.policy.Verdicts verdicts;}
 * and called as {@code verdicts.flag(drools, "one plain sentence")}.
 *
 * <p>One instance per evaluation; not shared between threads. The policy a finding belongs to is
 * the policy whose folder holds the rule, so a rule cannot speak for another policy.
 */
public final class Verdicts {

  /** One recorded finding, before enforcement is applied. */
  public record Finding(
      String policy,
      String rule,
      Severity severity,
      String summary,
      Map<String, Object> details,
      boolean neverBlocks) {}

  private final Function<Rule, String> policyOfRule;
  private final List<Finding> findings = new ArrayList<>(2);

  public Verdicts(Function<Rule, String> policyOfRule) {
    this.policyOfRule = policyOfRule;
  }

  /** Records a finding with the policy's default severity. */
  public void flag(RuleContext ctx, String summary) {
    add(ctx, null, summary, Map.of());
  }

  /** Records a finding with extra facts for the decision's {@code details}. */
  public void flag(RuleContext ctx, String summary, Map<String, ?> details) {
    add(ctx, null, summary, details);
  }

  /** Records a finding with its own severity (a rule may judge one case worse than another). */
  public void flag(RuleContext ctx, Severity severity, String summary) {
    add(ctx, severity, summary, Map.of());
  }

  /** Records a finding with its own severity and extra facts. */
  public void flag(RuleContext ctx, Severity severity, String summary, Map<String, ?> details) {
    add(ctx, severity, summary, details);
  }

  /**
   * Records a finding that is reported but never blocks, whatever the policy's enforcement: for
   * what the rule cannot know (a bucket whose content is unknown, weights never seen), where the
   * worst case is bad enough to tell someone and too uncertain to deny or revert.
   */
  public void alert(RuleContext ctx, Severity severity, String summary, Map<String, ?> details) {
    add(ctx, severity, summary, details, true);
  }

  private void add(RuleContext ctx, Severity severity, String summary, Map<String, ?> details) {
    add(ctx, severity, summary, details, false);
  }

  private void add(
      RuleContext ctx,
      Severity severity,
      String summary,
      Map<String, ?> details,
      boolean neverBlocks) {
    Rule rule = ctx.getRule();
    String policy = policyOfRule.apply(rule);
    for (Finding f : findings) {
      if (f.policy().equals(policy) && f.summary().equals(summary)) {
        return; // two rules of one policy saying the same thing are one finding
      }
    }
    findings.add(
        new Finding(
            policy,
            rule.getName(),
            severity,
            summary,
            details == null ? Map.of() : new LinkedHashMap<>(details),
            neverBlocks));
  }

  public List<Finding> findings() {
    return findings;
  }
}
