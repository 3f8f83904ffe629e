package dev.portcullis.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.portcullis.event.ChangeEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A reviewed waiver: one policy's findings on matching events are recorded as {@code suppressed}
 * instead of being acted on, until {@code expires}, judged by the event's own time (so a replay
 * decides as the live stream did). Read from {@code exceptions/<id>.yaml} by {@link
 * ExceptionReader}.
 *
 * @param id the file name without {@code .yaml}; decisions it suppresses carry it
 * @param file where it was read from, relative to the policies folder
 * @param policy the policy it waives
 * @param match what it matches: every field given must match (see {@link #matches})
 * @param reason why the finding is acceptable
 * @param owner who answers for the exception
 * @param approvedBy who reviewed it
 * @param expires events at or after this instant are no longer suppressed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyException(
    String id,
    String file,
    String policy,
    Map<String, List<String>> match,
    String reason,
    String owner,
    String approvedBy,
    Instant expires) {

  /** The fields an exception can match on, and what each is compared with. */
  public static final Map<String, String> MATCH_FIELDS =
      Map.of(
          "principal", "the actor's principal (IAM ARN, Kubernetes user name)",
          "account", "the target's AWS account (else the actor's)",
          "namespace", "the target's Kubernetes namespace",
          "resource", "the target's ARN, name, or short form (s3://bucket/key, ns/secrets/name)",
          "action", "the CloudTrail event name or Kubernetes verb",
          "source", "cloudtrail or k8s-audit",
          "region", "the target's AWS region");

  /** True while the exception applies to an event at this time. */
  public boolean activeAt(Instant eventTime) {
    return eventTime.isBefore(expires);
  }

  /**
   * True when every match field given matches the event. Each field holds one or more glob patterns
   * ({@code *} any run of characters, {@code ?} one character); one of them must match.
   */
  public boolean matches(ChangeEvent e) {
    for (Map.Entry<String, List<String>> m : match.entrySet()) {
      if (!matchesField(m.getKey(), m.getValue(), e)) {
        return false;
      }
    }
    return true;
  }

  /** True when it waives this policy's finding on this event. */
  public boolean suppresses(String policyId, ChangeEvent e) {
    return policy.equals(policyId) && activeAt(e.getEventTime()) && matches(e);
  }

  private static boolean matchesField(String field, List<String> patterns, ChangeEvent e) {
    return switch (field) {
      case "principal" -> any(patterns, e.getActor().getPrincipal());
      case "account" ->
          any(
              patterns,
              e.getTarget().getAccount() != null
                  ? e.getTarget().getAccount()
                  : e.getActor().getAccount());
      case "namespace" -> any(patterns, e.getTarget().getNamespace());
      case "resource" ->
          any(patterns, e.getTarget().getArn())
              || any(patterns, e.getTarget().getName())
              || any(patterns, e.getTarget().describe());
      case "action" -> any(patterns, e.getAction());
      case "source" -> any(patterns, e.getSource());
      case "region" -> any(patterns, e.getTarget().getRegion());
      default -> false;
    };
  }

  private static boolean any(List<String> patterns, String value) {
    if (value == null) {
      return false;
    }
    for (String p : patterns) {
      if (glob(p).matcher(value).matches()) {
        return true;
      }
    }
    return false;
  }

  private static final Map<String, Pattern> GLOBS = new java.util.concurrent.ConcurrentHashMap<>();

  static Pattern glob(String glob) {
    return GLOBS.computeIfAbsent(
        glob,
        g -> {
          StringBuilder re = new StringBuilder();
          StringBuilder literal = new StringBuilder();
          for (char c : g.toCharArray()) {
            if (c == '*' || c == '?') {
              if (literal.length() > 0) {
                re.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
              }
              re.append(c == '*' ? ".*" : ".");
            } else {
              literal.append(c);
            }
          }
          if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
          }
          return Pattern.compile(re.toString(), Pattern.DOTALL);
        });
  }

  @JsonIgnore
  public boolean expiresWithin(Instant now, java.time.Duration window) {
    return !expires.isAfter(now.plus(window)) && expires.isAfter(now);
  }
}
