package dev.portcullis.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One policy's finding on one change event.
 *
 * @param policy the policy id (its folder name)
 * @param action what Portcullis does: the policy's enforcement, the operator's override, or {@code
 *     suppressed} when a reviewed exception waives it
 * @param verdict what the policy itself asks for (its {@code enforcement} in policy.yaml)
 * @param severity how bad it is
 * @param summary one plain sentence with the concrete names in it
 * @param title the policy's title
 * @param runbook where the on-call engineer reads what to do
 * @param rule the DRL rule that fired
 * @param details extra facts the rule recorded (bounded, never secret values)
 * @param exception id of the exception that suppressed it ({@code exceptions/<id>.yaml}), or null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Decision(
    String policy,
    Enforcement action,
    Enforcement verdict,
    Severity severity,
    String summary,
    String title,
    String runbook,
    String rule,
    Map<String, Object> details,
    String exception) {

  /** A decision no exception touched. */
  public Decision(
      String policy,
      Enforcement action,
      Enforcement verdict,
      Severity severity,
      String summary,
      String title,
      String runbook,
      String rule,
      Map<String, Object> details) {
    this(policy, action, verdict, severity, summary, title, runbook, rule, details, null);
  }

  /** This decision, waived by the given exception: recorded, not acted on. */
  public Decision suppressedBy(String exceptionId) {
    return new Decision(
        policy,
        Enforcement.SUPPRESSED,
        verdict,
        severity,
        summary,
        title,
        runbook,
        rule,
        details,
        exceptionId);
  }
}
