package dev.portcullis.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One policy's finding on one change event.
 *
 * @param policy the policy id (its folder name)
 * @param action what Portcullis does: the policy's enforcement, or the operator's override
 * @param verdict what the policy itself asks for (its {@code enforcement} in policy.yaml)
 * @param severity how bad it is
 * @param summary one plain sentence with the concrete names in it
 * @param title the policy's title
 * @param runbook where the on-call engineer reads what to do
 * @param rule the DRL rule that fired
 * @param details extra facts the rule recorded (bounded, never secret values)
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
    Map<String, Object> details) {}
