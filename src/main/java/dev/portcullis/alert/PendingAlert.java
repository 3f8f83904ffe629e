package dev.portcullis.alert;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One message on the pending-alerts topic, keyed by its {@code dedupKey}: a policy's alerting
 * decision about one target ({@code trigger}), or word that the condition cleared ({@code
 * resolve}). Self-contained, so delivery needs neither the policies nor the decision record.
 *
 * <p>Anything may write a resolve here: {@code {"kind":"resolve","dedupKey":"...","reason":"..."}}
 * (the Kafka key set to the dedup key) is enough. Carries only what the decision carried (never a
 * raw event, so never secret values).
 *
 * @param kind trigger or resolve
 * @param dedupKey stable identity of the problem: see {@link DedupKeys}
 * @param policy the policy id
 * @param title the policy's title
 * @param severity how bad it is
 * @param action the effective action (block or alert)
 * @param verdict what the policy itself asks for
 * @param summary one plain sentence with the concrete names in it
 * @param runbook URL of what to do
 * @param rule the rule that fired
 * @param details extra facts the rule recorded
 * @param owner the team that owns the policy
 * @param tags the policy's tags
 * @param dedupWindow the policy's dedup window (ISO-8601), when it sets one
 * @param eventId the change event's id
 * @param source the event source ({@code cloudtrail}, {@code k8s-audit})
 * @param eventTime when the change happened; for a resolve, when the condition cleared
 * @param change the API call or verb
 * @param service the API that was called
 * @param actor who made the change
 * @param targetRef a short readable reference to the target
 * @param target the target's fields (type, account, region, arn, namespace, name, ...)
 * @param reason why it was resolved (resolve only)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PendingAlert(
    Kind kind,
    String dedupKey,
    String policy,
    String title,
    Severity severity,
    Enforcement action,
    Enforcement verdict,
    String summary,
    String runbook,
    String rule,
    Map<String, Object> details,
    String owner,
    List<String> tags,
    String dedupWindow,
    String eventId,
    String source,
    Instant eventTime,
    String change,
    String service,
    AlertActor actor,
    String targetRef,
    Map<String, String> target,
    String reason) {

  public PendingAlert {
    details = details == null ? Map.of() : details;
    tags = tags == null ? List.of() : List.copyOf(tags);
    target = target == null ? Map.of() : target;
  }

  /** Trigger or resolve. */
  public enum Kind {
    TRIGGER,
    RESOLVE;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Kind of(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  /**
   * Who made the change.
   *
   * @param principal the stable identity (IAM ARN, Kubernetes user)
   * @param name the short name
   * @param type human, service-account, iac, ...
   * @param sourceIp where the call came from
   * @param userAgent the client used
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AlertActor(
      String principal, String name, String type, String sourceIp, String userAgent) {

    /** The short name and the principal, or whichever is known. */
    public String describe() {
      if (name != null && principal != null && !name.equals(principal)) {
        return name + " (" + principal + ")";
      }
      return principal != null ? principal : name != null ? name : "unknown actor";
    }
  }

  /** The policy's dedup window, when it set a valid one. */
  public Duration window() {
    if (dedupWindow == null || dedupWindow.isBlank()) {
      return null;
    }
    try {
      Duration d = Duration.parse(dedupWindow);
      return d.isNegative() || d.isZero() ? null : d;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A bare resolve message for a dedup key. */
  public static PendingAlert resolve(String dedupKey, String why, Instant when) {
    return resolve(dedupKey, null, why, when);
  }

  /** A resolve of a known policy's problem (the policy only names it in metrics and logs). */
  public static PendingAlert resolve(String dedupKey, String policy, String why, Instant when) {
    return new PendingAlert(
        Kind.RESOLVE,
        dedupKey,
        policy,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        when,
        null,
        null,
        null,
        null,
        null,
        why);
  }
}
