package dev.portcullis.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * One test case of one policy, read from {@code <policy>/tests/<name>.yaml} by {@link
 * PolicyTestSuite}.
 *
 * @param policy the policy it tests (the folder it sits in)
 * @param name the file name without extension
 * @param file the case file, relative to the policies folder
 * @param description one sentence: what the case shows
 * @param inputs the raw inputs, in order, each in any shape the stream accepts; each may hold
 *     several events (a CloudTrail log file)
 * @param mocks answers of enrichment lookups, by lookup name
 * @param parameters the policy's parameters for this case, merged over its policy.yaml defaults
 * @param expectEach the expected decisions of this policy, one list per event; when the case gave a
 *     single {@code expect:}, only the last event's list is checked (the others are null)
 */
public record PolicyTestCase(
    String policy,
    String name,
    String file,
    String description,
    List<Input> inputs,
    Map<String, JsonNode> mocks,
    JsonNode parameters,
    List<List<Expectation>> expectEach) {

  /**
   * One raw input.
   *
   * @param bytes JSON (or gzip) bytes as the stream would receive them
   * @param where where it came from, for messages ({@code tests/x.yaml event}, {@code
   *     tests/events/y.json})
   */
  public record Input(byte[] bytes, String where) {}

  /**
   * One expected decision.
   *
   * @param action the effective action (block, alert, audit, suppressed)
   * @param severity the decision's severity
   * @param summaryContains substrings the summary must contain (may be empty)
   * @param exception the id of the exception that must have suppressed it, or null
   */
  public record Expectation(
      Enforcement action, Severity severity, List<String> summaryContains, String exception) {

    /** True when the decision meets this expectation. */
    public boolean matches(Decision d) {
      if (d.action() != action || d.severity() != severity) {
        return false;
      }
      if (exception != null && !exception.equals(d.exception())) {
        return false;
      }
      String summary = d.summary() == null ? "" : d.summary();
      return summaryContains.stream().allMatch(summary::contains);
    }

    @Override
    public String toString() {
      StringBuilder sb =
          new StringBuilder(action.wireName()).append('/').append(severity.wireName());
      if (exception != null) {
        sb.append(" by exception ").append(exception);
      }
      for (String s : summaryContains) {
        sb.append(" summary~\"").append(s).append('"');
      }
      return sb.toString();
    }
  }

  /** True when some event of the case is expected to draw a decision from the policy. */
  public boolean fires() {
    return expectEach.stream().anyMatch(l -> l != null && !l.isEmpty());
  }

  /** True when some event of the case is expected to draw no decision from the policy. */
  public boolean staysQuiet() {
    return expectEach.stream().anyMatch(l -> l != null && l.isEmpty());
  }

  /** What the case expects of its last event (the one {@code expect:} talks about). */
  public List<Expectation> finalExpectation() {
    return expectEach.get(expectEach.size() - 1);
  }
}
