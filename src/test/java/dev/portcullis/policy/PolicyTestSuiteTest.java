package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.enrich.Enricher;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.LookupRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy test runner: loading cases, comparing decisions, mocks, exceptions by event time. */
class PolicyTestSuiteTest {

  static final String CASE_HEAD =
      "description: A test case.\neventFile: events/delete-trail.json\n";

  static PolicyTestSuite load(Map<String, byte[]> files) {
    return PolicyTestSuite.load(files, Folders.compiler(true), Enrichment.standard());
  }

  static List<String> problems(PolicyTestSuite s) {
    return s.problems().stream().map(Problem::toString).toList();
  }

  @Test
  void theRepositoryCasesAllPass() {
    PolicyTestSuite suite = load(Folders.rules());
    assertThat(suite.problems()).isEmpty();
    assertThat(suite.cases()).hasSizeGreaterThanOrEqualTo(5);
    assertThat(suite.runAll()).allMatch(CaseResult::passed);
  }

  @Test
  void aWrongExpectationFailsWithExpectedAndActual() {
    Map<String, byte[]> files = Folders.rules();
    Folders.put(
        files,
        "cloudtrail-stopped/tests/delete-trail.yaml",
        CASE_HEAD + "expect:\n  - {action: block, severity: high, summaryContains: nobody}\n");
    PolicyTestSuite suite = load(files);
    CaseResult r =
        suite.run(
            suite.cases().stream().filter(c -> c.name().equals("delete-trail")).findFirst().get());
    assertThat(r.passed()).isFalse();
    assertThat(r.failure())
        .contains("expected: [block/high summary~\"nobody\"]")
        .contains(
            "actual:   [alert/high \"bob (arn:aws:iam::111122223333:user/bob) ran DeleteTrail");
  }

  @Test
  void aPolicyWithoutAQuietCaseDoesNotLoad() {
    Map<String, byte[]> files = Folders.rules();
    // Only cloudtrail-stopped's policy and its one firing case: the other policies are left out.
    files.keySet().removeIf(p -> !p.startsWith("shared/") && !p.startsWith("cloudtrail-stopped/"));
    files.keySet().removeIf(p -> p.contains("/tests/") && !p.contains("delete-trail"));
    assertThat(problems(load(files)))
        .containsExactly(
            "cloudtrail-stopped/tests/: needs at least one case that fires (expect: [{action: ...,"
                + " severity: ...}]) and one that does not (expect: []); it has none that stays"
                + " quiet");
  }

  @Test
  void caseFileMistakesAreLoadErrorsWithLines() {
    Map<String, byte[]> files = Folders.rules();
    Folders.put(
        files,
        "cloudtrail-stopped/tests/bad.yaml",
        "description: Broken.\neventFile: ../../../etc/passwd\nexpected: []\n");
    Folders.put(
        files,
        "cloudtrail-stopped/tests/bad2.yaml",
        CASE_HEAD + "expect:\n  - {action: page, severity: high, summary: x}\n");
    assertThat(problems(load(files)))
        .contains(
            "cloudtrail-stopped/tests/bad.yaml:3: expected: unknown field (known fields:"
                + " [description, event, eventFile, events, mocks, parameters, expect,"
                + " expectEach])",
            "cloudtrail-stopped/tests/bad.yaml:2: eventFile: '../../../etc/passwd' not found (a"
                + " path relative to cloudtrail-stopped/tests/, inside the policies folder)",
            "cloudtrail-stopped/tests/bad.yaml:1: expect: give exactly one of expect: (the last"
                + " event) or expectEach: (every event)",
            "cloudtrail-stopped/tests/bad2.yaml:3: expect: unknown field 'summary' in a decision"
                + " (known: [action, severity, summaryContains, exception])",
            "cloudtrail-stopped/tests/bad2.yaml:3: expect: action must be one of block, alert,"
                + " audit, suppressed");
  }

  @Test
  void expectEachChecksEveryEventOfASequence() {
    Map<String, byte[]> files = Folders.rules();
    String seq = Folders.text(files, "cloudtrail-stopped/tests/stop-then-start.yaml");
    Folders.put(
        files,
        "cloudtrail-stopped/tests/stop-then-start.yaml",
        seq.substring(0, seq.indexOf("expectEach:")) + "expectEach:\n  - []\n  - []\n");
    PolicyTestSuite suite = load(files);
    CaseResult r =
        suite.run(
            suite.cases().stream()
                .filter(c -> c.name().equals("stop-then-start"))
                .findFirst()
                .get());
    assertThat(r.passed()).isFalse();
    assertThat(r.failure())
        .startsWith("event 1 (cloudtrail StopLogging")
        .contains("expected: no decision");
  }

  @Test
  void anExceptionAppliesInTestsUntilItsExpiryByEventTime() {
    Map<String, byte[]> files = Folders.rules();
    Folders.put(
        files,
        "exceptions/bob-cleanup.yaml",
        ExceptionsTest.WAIVER
            .replace("\"arn:aws:sts::111122223333:assumed-role/Ops/*\"", "\"*:user/bob\"")
            .replace("[StopLogging]", "[DeleteTrail]")
            .replace("\"arn:aws:cloudtrail:*:111122223333:trail/org-*\"", "audit-*")
            .replace("2026-12-01", "2026-11-21T16:02:41Z"));
    Folders.put(
        files,
        "cloudtrail-stopped/tests/delete-trail.yaml",
        CASE_HEAD + "expect:\n  - {action: suppressed, severity: high, exception: bob-cleanup}\n");
    String json = Folders.text(files, "cloudtrail-stopped/tests/events/delete-trail.json");
    Folders.put(
        files,
        "cloudtrail-stopped/tests/events/delete-trail-later.json",
        json.replace("2026-11-21T16:02:40Z", "2026-11-21T16:02:41Z"));
    Folders.put(
        files,
        "cloudtrail-stopped/tests/delete-trail-after-expiry.yaml",
        "description: At its expiry the exception no longer applies.\n"
            + "eventFile: events/delete-trail-later.json\n"
            + "expect:\n  - {action: alert, severity: high}\n");
    PolicyTestSuite suite = load(files);
    assertThat(suite.problems()).isEmpty();
    assertThat(suite.runAll())
        .filteredOn(r -> r.testCase().name().startsWith("delete-trail"))
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue());
  }

  /** Asks for the objects under the bucket a lifecycle rule targets (as S3 enrichment will). */
  static final Enricher OBJECTS =
      e ->
          e.getTarget().getBucket() == null
              ? List.of()
              : List.of(new LookupRequest("s3.objects", e.getTarget().getBucket()));

  @Test
  void mocksAnswerLookupsAndAMockNobodyAsksForFailsTheCase() {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(
        files,
        "lifecycle-on-live-data/policy.drl",
        "package portcullis.policies;\n"
            + "rule \"Lifecycle rule on a bucket with objects\"\nwhen\n"
            + "  $e : ChangeEvent( action == \"PutBucketLifecycle\" )\n"
            + "  $o : LookupResult( name == \"s3.objects\", key == $e.target.bucket, size > 0 )\n"
            + "then\n  verdicts.flag(drools, \"lifecycle on \" + $e.getTarget().getBucket()"
            + " + \" with \" + $o.size() + \" objects\");\nend\n");
    Folders.put(
        files,
        "lifecycle-on-live-data/policy.yaml",
        Folders.metadata("lifecycle-on-live-data", "block", "[PutBucketLifecycle]"));
    String event =
        "event: {eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource:"
            + " s3.amazonaws.com, eventName: PutBucketLifecycle, awsRegion: eu-west-1,"
            + " recipientAccountId: '111122223333', eventID: e1, userIdentity: {type: IAMUser, arn:"
            + " 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: alice},"
            + " requestParameters: {bucketName: etcd-backups, lifecycle: ''}}\n";
    Folders.put(
        files,
        "lifecycle-on-live-data/tests/objects.yaml",
        "description: Objects are there.\n"
            + event
            + "mocks:\n  s3.objects: [{key: backups/a}, {key: backups/b}]\n"
            + "expect:\n  - {action: block, severity: high, summaryContains: 'with 2 objects'}\n");
    Folders.put(
        files,
        "lifecycle-on-live-data/tests/empty.yaml",
        "description: No objects.\n" + event + "mocks:\n  s3.objects: []\nexpect: []\n");
    Folders.put(
        files,
        "lifecycle-on-live-data/tests/typo.yaml",
        "description: Misspelled mock.\n"
            + event
            + "mocks:\n  s3.object: [{key: a}]\nexpect: []\n");
    PolicyTestSuite suite =
        PolicyTestSuite.load(files, Folders.compiler(true), new Enrichment(List.of(OBJECTS)));
    assertThat(suite.problems()).isEmpty();
    Map<String, CaseResult> results =
        suite.runAll().stream()
            .collect(java.util.stream.Collectors.toMap(r -> r.testCase().name(), r -> r));
    assertThat(results.get("objects").passed()).as(results.get("objects").failure()).isTrue();
    assertThat(results.get("empty").passed()).isTrue();
    assertThat(results.get("typo").passed()).isFalse();
    assertThat(results.get("typo").failure())
        .contains("mocks never looked up (no enricher asks for them): [s3.object]");
  }
}
