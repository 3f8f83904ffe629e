package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.testing.Events;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exceptions as reviewed data: validated on load, applied only until their expiry judged by the
 * event's time, and never silent (the decision stays, marked suppressed with the exception id).
 */
class ExceptionsTest {

  static final EventDecoder DECODER = new EventDecoder(new ObjectMapper(), 1 << 20);

  static final String WAIVER =
      "policy: cloudtrail-stopped\n"
          + "match:\n"
          + "  principal: \"arn:aws:sts::111122223333:assumed-role/Ops/*\"\n"
          + "  action: [StopLogging]\n"
          + "  resource: \"arn:aws:cloudtrail:*:111122223333:trail/org-*\"\n"
          + "reason: The Ops role rotates the organisation trail during the migration.\n"
          + "owner: platform-security\n"
          + "approvedBy: carol\n"
          + "expires: 2026-12-01\n";

  static ChangeEvent stopLogging(String eventTime, String principalRole) {
    String json =
        Events.load("stop-logging.json", Events.newId())
            .replace("2026-11-20T09:14:02Z", eventTime)
            .replace("assumed-role/Ops/", "assumed-role/" + principalRole + "/");
    try {
      return DECODER.decode(json.getBytes(StandardCharsets.UTF_8), Instant.EPOCH).events().get(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static PolicySet withWaiver(String yaml) throws PolicyLoadException {
    return Folders.compiler(false)
        .compile(Folders.put(Folders.rules(), "exceptions/ops-trail-rotation.yaml", yaml));
  }

  static List<String> problems(String yaml) {
    try {
      withWaiver(yaml);
      return List.of();
    } catch (PolicyLoadException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
  }

  @Test
  void aMatchingFindingBeforeExpiryIsSuppressedAndStillRecorded() throws Exception {
    PolicySet set = withWaiver(WAIVER);
    List<Decision> d =
        set.evaluate(stopLogging("2026-11-30T23:59:59Z", "Ops"), List.of(), Map.of());
    assertThat(d).singleElement();
    assertThat(d.get(0).action()).isEqualTo(Enforcement.SUPPRESSED);
    assertThat(d.get(0).verdict()).isEqualTo(Enforcement.ALERT);
    assertThat(d.get(0).exception()).isEqualTo("ops-trail-rotation");
    assertThat(d.get(0).summary()).contains("StopLogging");
  }

  @Test
  void fromItsExpiryOnByEventTimeTheExceptionNoLongerApplies() throws Exception {
    PolicySet set = withWaiver(WAIVER);
    Decision d =
        set.evaluate(stopLogging("2026-12-01T00:00:00Z", "Ops"), List.of(), Map.of()).get(0);
    assertThat(d.action()).isEqualTo(Enforcement.ALERT);
    assertThat(d.exception()).isNull();
  }

  @Test
  void anEventThatDoesNotMatchEveryFieldIsNotSuppressed() throws Exception {
    PolicySet set = withWaiver(WAIVER);
    Decision d =
        set.evaluate(stopLogging("2026-11-21T00:00:00Z", "Developer"), List.of(), Map.of()).get(0);
    assertThat(d.action()).isEqualTo(Enforcement.ALERT);
  }

  @Test
  void theDecisionRecordsTheVerdictAndTheOverriddenActionAndAnExceptionWinsOverBoth()
      throws Exception {
    PolicySet set = withWaiver(WAIVER);
    Map<String, Enforcement> audit = Map.of("cloudtrail-stopped", Enforcement.AUDIT);
    Decision overridden =
        set.evaluate(stopLogging("2026-12-02T00:00:00Z", "Ops"), List.of(), audit).get(0);
    assertThat(overridden.verdict()).isEqualTo(Enforcement.ALERT);
    assertThat(overridden.action()).isEqualTo(Enforcement.AUDIT);
    Decision waived =
        set.evaluate(stopLogging("2026-11-22T00:00:00Z", "Ops"), List.of(), audit).get(0);
    assertThat(waived.action()).isEqualTo(Enforcement.SUPPRESSED);
    assertThat(waived.verdict()).isEqualTo(Enforcement.ALERT);
  }

  @Test
  void requiredFieldsAreErrorsWithFileLineAndField() {
    assertThat(problems("policy: cloudtrail-stopped\nmatch: {principal: alice}\n"))
        .contains(
            "exceptions/ops-trail-rotation.yaml:1: reason: is required",
            "exceptions/ops-trail-rotation.yaml:1: owner: is required",
            "exceptions/ops-trail-rotation.yaml:1: approvedBy: is required",
            "exceptions/ops-trail-rotation.yaml:1: expires: is required");
  }

  @Test
  void anExpiryMoreThanNinetyDaysAheadIsRejected() {
    assertThat(problems(WAIVER.replace("2026-12-01", "2027-03-01")))
        .containsExactly(
            "exceptions/ops-trail-rotation.yaml:9: expires: 2027-03-01 is more than 90 days ahead"
                + " (latest allowed: 2027-02-23); exceptions must be reviewed again before then");
  }

  @Test
  void invalidContentIsNamed() {
    assertThat(
            problems(
                WAIVER
                    .replace("policy: cloudtrail-stopped", "policy: no-such-policy")
                    .replace("  action: [StopLogging]", "  user: bob")
                    .replace("approvedBy: carol", "approvedBy: platform-security")
                    .replace("expires: 2026-12-01", "expires: next week")))
        .contains(
            "exceptions/ops-trail-rotation.yaml:1: policy: 'no-such-policy' is not a loaded policy"
                + " "
                + loadedPolicies(),
            "exceptions/ops-trail-rotation.yaml:2: match: unknown field 'user' (known: [account,"
                + " action, namespace, principal, region, resource, source])",
            "exceptions/ops-trail-rotation.yaml:8: approvedBy: must be someone other than the owner"
                + " (a second pair of eyes)",
            "exceptions/ops-trail-rotation.yaml:9: expires: 'next week' is not a date (2026-12-31)"
                + " or an ISO-8601 date-time (2026-12-31T18:00Z)");
    assertThat(
            problems(WAIVER.replace("\"arn:aws:sts::111122223333:assumed-role/Ops/*\"", "\"*\"")))
        .containsExactly(
            "exceptions/ops-trail-rotation.yaml:2: match: principal: '*' alone matches everything;"
                + " leave the field out instead");
  }

  @Test
  void anExpiredExceptionStillLoadsWithAWarningAndAppliesToOlderEvents() throws Exception {
    PolicySet set = withWaiver(WAIVER.replace("2026-12-01", "2026-11-01T06:00:00Z"));
    assertThat(set.warnings())
        .extracting(Problem::toString)
        .anyMatch(w -> w.startsWith("exceptions/ops-trail-rotation.yaml: expired on"));
    assertThat(set.evaluate(stopLogging("2026-10-31T00:00:00Z", "Ops"), List.of(), Map.of()))
        .extracting(Decision::action)
        .containsExactly(Enforcement.SUPPRESSED);
    assertThat(set.evaluate(stopLogging("2026-11-20T00:00:00Z", "Ops"), List.of(), Map.of()))
        .extracting(Decision::action)
        .containsExactly(Enforcement.ALERT);
  }

  @Test
  void globsMatchWholeValues() {
    assertThat(
            PolicyException.glob("arn:aws:iam::*:role/ci-*")
                .matcher("arn:aws:iam::1:role/ci-x")
                .matches())
        .isTrue();
    assertThat(PolicyException.glob("ci-?").matcher("ci-ab").matches()).isFalse();
    assertThat(PolicyException.glob("a.b").matcher("axb").matches()).isFalse();
  }

  /** The policy ids of the repository's rules/, as the error message lists them. */
  private static String loadedPolicies() {
    return Folders.rules().keySet().stream()
        .filter(p -> p.endsWith("/policy.yaml"))
        .map(p -> p.substring(0, p.indexOf('/')))
        .sorted()
        .toList()
        .toString();
  }
}
