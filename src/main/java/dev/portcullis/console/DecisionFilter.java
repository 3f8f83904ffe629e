package dev.portcullis.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Which decision records a console list or live stream shows. Every field is optional; a record
 * matches when it matches all that are given.
 *
 * @param policy a finding of this policy ({@code none}: a record without findings)
 * @param action a finding with this effective action ({@code block}, {@code alert}, {@code audit},
 *     {@code suppressed})
 * @param severity a finding with this severity
 * @param source the record's source ({@code cloudtrail}, {@code k8s-audit}, {@code
 *     portcullis-revert}...)
 * @param actor text found (any case) in who made the change
 * @param target text found (any case) in what it touched
 */
public record DecisionFilter(
    String policy, String action, String severity, String source, String actor, String target)
    implements Predicate<RecentDecisions.Entry> {

  /** A filter from query parameters; blank ones are ignored. */
  public static DecisionFilter of(
      String policy, String action, String severity, String source, String actor, String target) {
    return new DecisionFilter(
        blank(policy), blank(action), blank(severity), blank(source), blank(actor), blank(target));
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  @Override
  public boolean test(RecentDecisions.Entry e) {
    JsonNode r = e.record();
    if (source != null && !source.equals(r.path("source").asText())) {
      return false;
    }
    if (actor != null && !contains(r.path("actor"), actor)) {
      return false;
    }
    if (target != null && !contains(r.path("target"), target)) {
      return false;
    }
    JsonNode ds = r.path("decisions");
    if ("none".equals(policy)) {
      return ds.isEmpty() && action == null && severity == null;
    }
    if (policy == null && action == null && severity == null) {
      return true;
    }
    for (JsonNode d : ds) {
      if ((policy == null || policy.equals(d.path("policy").asText()))
          && (action == null || action.equals(d.path("action").asText()))
          && (severity == null || severity.equals(d.path("severity").asText()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(JsonNode fields, String text) {
    String needle = text.toLowerCase(Locale.ROOT);
    for (JsonNode v : fields) {
      if (v.isValueNode() && v.asText().toLowerCase(Locale.ROOT).contains(needle)) {
        return true;
      }
    }
    return false;
  }
}
