package dev.portcullis.enforce;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.event.AdmissionReviewDecoder;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The webhook's answer to one review: an {@code admission.k8s.io/v1 AdmissionReview} with its
 * {@code response}, built from the decisions the policies made (or from the failure policy when
 * they could not decide).
 *
 * <ul>
 *   <li>{@code allowed} is false when at least one decision's effective action is {@code block};
 *       then {@code status} is {@code {code: 403, reason: Forbidden, message}}, the message naming
 *       each blocking policy, its finding and its runbook. The API server shows it to the user as
 *       {@code admission webhook "<name>" denied the request: <message>}.
 *   <li>{@code warnings}: one per decision in {@code alert} mode, {@code kubectl} prints them. The
 *       API server keeps at most 4096 characters of warnings per request (from every webhook and
 *       deprecation notice together) and cuts each to 256 once that is exceeded, so each warning
 *       here is at most 256 characters, all of them at most 2048, and at most {@code maxWarnings}.
 *   <li>{@code audit} decisions and decisions waived by an exception ({@code suppressed}) change
 *       nothing in the answer; they are recorded. The exception ids are named in the audit
 *       annotations.
 *   <li>{@code auditAnnotations} (the API server prefixes each key with the webhook's name and
 *       writes them into its audit event of the request): {@code decision} (allowed, denied,
 *       warned, failure-allowed, failure-denied), {@code blocked-by}, {@code warned-by}, {@code
 *       waived-by} ({@code policy=exception}), {@code failure}, {@code policy-version}, {@code
 *       review-uid} (the key of the decision record: the audit event's own id differs).
 * </ul>
 *
 * @param uid the review's uid, echoed
 * @param allowed whether the request may proceed
 * @param result allowed, denied, warned, or error (the failure policy answered): a metric tag
 * @param failure why the failure policy answered (timeout, evaluation-error, overloaded), or null
 * @param statusCode the HTTP status the API server gives the user on a denial, or 0
 * @param message the denial's message, or null
 * @param review the whole AdmissionReview to send back
 */
public record AdmissionAnswer(
    String uid,
    boolean allowed,
    Result result,
    String failure,
    int statusCode,
    String message,
    ObjectNode review) {

  /** How a review was answered; a bounded metric tag. */
  public enum Result {
    ALLOWED,
    DENIED,
    WARNED,
    ERROR;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Failure reason: the policies did not finish within the budget. */
  public static final String TIMEOUT = "timeout";

  /** Failure reason: a policy (or enrichment) threw while judging the review. */
  public static final String EVALUATION_ERROR = "evaluation-error";

  /** Failure reason: every evaluation thread was busy and the queue was full. */
  public static final String OVERLOADED = "overloaded";

  /** Longest single warning, in characters (the API server's per-item truncation). */
  static final int WARNING_MAX = 256;

  /** All warnings together, in characters: half of the API server's 4096 for the request. */
  static final int WARNINGS_TOTAL_MAX = 2048;

  /** Longest "N more findings" note, in characters. */
  private static final int MORE_NOTE_MAX = 80;

  /** Longest denial message, in characters. */
  static final int MESSAGE_MAX = 4096;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * The answer the decisions call for.
   *
   * @param maxWarnings most warnings to send (the last one counts the rest)
   */
  public static AdmissionAnswer of(String uid, DecisionRecord record, int maxWarnings) {
    List<Decision> blocking = new ArrayList<>();
    List<Decision> alerting = new ArrayList<>();
    Map<String, String> waived = new LinkedHashMap<>();
    for (Decision d : record.decisions()) {
      switch (d.action()) {
        case BLOCK -> blocking.add(d);
        case ALERT -> alerting.add(d);
        case SUPPRESSED -> waived.putIfAbsent(d.policy(), d.exception());
        case AUDIT -> {
          // recorded only
        }
      }
    }
    boolean allowed = blocking.isEmpty();
    Result result = !allowed ? Result.DENIED : alerting.isEmpty() ? Result.ALLOWED : Result.WARNED;
    String message = allowed ? null : denial(blocking);
    List<String> warnings = warnings(alerting, maxWarnings);

    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("decision", result.tag());
    put(annotations, "blocked-by", policies(blocking));
    put(annotations, "warned-by", policies(alerting));
    if (!waived.isEmpty()) {
      List<String> pairs = new ArrayList<>();
      waived.forEach((p, e) -> pairs.add(p + "=" + e));
      annotations.put("waived-by", String.join(",", pairs));
    }
    put(annotations, "policy-version", record.policyVersion());
    annotations.put("review-uid", uid);
    int code = allowed ? 0 : 403;
    return new AdmissionAnswer(
        uid,
        allowed,
        result,
        null,
        code,
        message,
        review(uid, allowed, code, "Forbidden", message, warnings, annotations));
  }

  /**
   * The failure policy's answer when the policies could not judge the review.
   *
   * @param reason {@link #TIMEOUT}, {@link #EVALUATION_ERROR} or {@link #OVERLOADED}
   */
  public static AdmissionAnswer failure(
      String uid, AdmissionConfig.OnFailure onFailure, String reason, Duration budget) {
    String why =
        switch (reason) {
          case TIMEOUT -> "Portcullis could not judge this request within " + seconds(budget);
          case OVERLOADED -> "Portcullis is saturated and could not judge this request";
          default -> "Portcullis could not judge this request: a policy failed on it";
        };
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("failure", reason);
    annotations.put("review-uid", uid);
    if (onFailure == AdmissionConfig.OnFailure.DENY) {
      String message =
          why
              + "; denied by its failure policy (portcullis.admission.on-failure=deny)."
              + " Retry; if it persists, ask the Portcullis operators";
      annotations.put("decision", "failure-denied");
      return new AdmissionAnswer(
          uid,
          false,
          Result.ERROR,
          reason,
          503,
          message,
          review(uid, false, 503, "ServiceUnavailable", message, List.of(), annotations));
    }
    annotations.put("decision", "failure-allowed");
    String warning =
        why + "; allowed by its failure policy. The audit stream still judges the change.";
    return new AdmissionAnswer(
        uid,
        true,
        Result.ERROR,
        reason,
        0,
        null,
        review(uid, true, 0, null, null, List.of(truncate(warning, WARNING_MAX)), annotations));
  }

  private static ObjectNode review(
      String uid,
      boolean allowed,
      int code,
      String reason,
      String message,
      List<String> warnings,
      Map<String, String> annotations) {
    ObjectNode review = JSON.objectNode();
    review.put("apiVersion", AdmissionReviewDecoder.API_VERSION);
    review.put("kind", AdmissionReviewDecoder.KIND);
    ObjectNode response = review.putObject("response");
    response.put("uid", uid);
    response.put("allowed", allowed);
    if (!allowed) {
      ObjectNode status = response.putObject("status");
      status.put("status", "Failure");
      status.put("code", code);
      status.put("reason", reason);
      status.put("message", message);
    }
    if (!warnings.isEmpty()) {
      ArrayNode w = response.putArray("warnings");
      warnings.forEach(w::add);
    }
    ObjectNode a = response.putObject("auditAnnotations");
    annotations.forEach(a::put);
    return review;
  }

  /** The denial: every blocking policy with its finding and runbook. */
  static String denial(List<Decision> blocking) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        blocking.size() == 1
            ? "blocked by policy "
            : "blocked by " + blocking.size() + " policies: ");
    for (int i = 0; i < blocking.size(); i++) {
      Decision d = blocking.get(i);
      String part = finding(d);
      if (sb.length() + part.length() + 2 > MESSAGE_MAX) {
        sb.append("; and ").append(blocking.size() - i).append(" more");
        break;
      }
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(part);
    }
    return sb.toString();
  }

  private static String finding(Decision d) {
    String runbook = d.runbook() == null ? "" : " (runbook: " + d.runbook() + ")";
    return d.policy() + ": " + oneLine(d.summary()) + runbook;
  }

  /** One warning per alert decision, within the API server's limits. */
  static List<String> warnings(List<Decision> alerting, int max) {
    List<String> out = new ArrayList<>();
    int limit = Math.max(1, max);
    int total = 0;
    for (int i = 0; i < alerting.size(); i++) {
      int rest = alerting.size() - i;
      String more =
          rest
              + " more finding"
              + (rest == 1 ? "" : "s")
              + " in alert mode: see the decision record";
      String w = warning(alerting.get(i));
      int length = w.codePointCount(0, w.length());
      // While more findings follow, keep room for the note that counts them.
      int reserve = rest > 1 ? MORE_NOTE_MAX : 0;
      if (out.size() == limit - 1 && rest > 1 || total + length + reserve > WARNINGS_TOTAL_MAX) {
        out.add(more);
        break;
      }
      out.add(w);
      total += length;
    }
    return out;
  }

  /** {@code policy: summary (runbook: url)}, the summary cut so that the runbook survives. */
  static String warning(Decision d) {
    String head = d.policy() + ": ";
    String tail = d.runbook() == null ? "" : " (runbook: " + d.runbook() + ")";
    int room = WARNING_MAX - head.codePointCount(0, head.length()) - tail.length();
    if (room < 20) {
      return truncate(head + oneLine(d.summary()) + tail, WARNING_MAX);
    }
    return head + truncate(oneLine(d.summary()), room) + tail;
  }

  /** At most {@code max} code points, ending in an ellipsis when cut. */
  static String truncate(String s, int max) {
    if (s.codePointCount(0, s.length()) <= max) {
      return s;
    }
    int end = s.offsetByCodePoints(0, max - 1);
    return s.substring(0, end) + "\u2026";
  }

  /** Warnings travel as HTTP headers: no control characters. */
  private static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return sb.toString().trim();
  }

  private static String policies(List<Decision> ds) {
    Set<String> ids = new LinkedHashSet<>();
    ds.forEach(d -> ids.add(d.policy()));
    return String.join(",", ids);
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null && !v.isEmpty()) {
      m.put(k, v);
    }
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }
}
