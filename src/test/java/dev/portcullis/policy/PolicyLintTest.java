package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Event names a policy uses are checked against the catalog: errors in test, warnings at run. */
class PolicyLintTest {

  static Map<String, byte[]> policy(String eventNames, String condition, String sources) {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(
        files,
        "p/policy.drl",
        "package portcullis.policies;\n"
            + "// a comment naming action == \"NotAnEvent\" is no condition\n"
            + "rule \"t\"\nwhen\n  $e : ChangeEvent( "
            + condition
            + " )\nthen\n  verdicts.flag(drools, \"x\");\nend\n");
    Folders.put(
        files,
        "p/policy.yaml",
        Folders.metadata("p", "alert", eventNames).replace("[cloudtrail]", sources));
    return files;
  }

  static List<String> errors(Map<String, byte[]> files) {
    try {
      Folders.compiler(true).compile(files);
      return List.of();
    } catch (PolicyLoadException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
  }

  @Test
  void findsTheLiteralsComparedWithActionWithTheirLines() {
    String drl =
        "rule \"a\" when\n"
            + "  $e : ChangeEvent( action == \"StopLogging\" || action == \"DeleteTrail\" )\n"
            + "  // action == \"Commented\"\n"
            + "  ChangeEvent( action in (\"PutBucketLifecycle\",\n \"DeleteBucketLifecycle\") )\n"
            + "  eval( $e.getAction().equals(\"PutBucketPolicy\") || \"Tagged\".equals($e.getAction()) )\n"
            + "  ChangeEvent( \"CreateBucket\" == action, service == \"s3.amazonaws.com\" )\n"
            + "  ChangeEvent( actionCount == \"NotAnAction\" )\n"
            + "then end\n";
    Map<Integer, List<String>> found = PolicyLint.actionLiterals(drl);
    assertThat(found)
        .containsEntry(2, List.of("StopLogging", "DeleteTrail"))
        .containsEntry(4, List.of("PutBucketLifecycle"))
        .containsEntry(5, List.of("DeleteBucketLifecycle"))
        .containsEntry(6, List.of("PutBucketPolicy", "Tagged"))
        .containsEntry(7, List.of("CreateBucket"));
    assertThat(found.get(5)).containsExactly("DeleteBucketLifecycle");
    assertThat(found.values().stream().flatMap(List::stream))
        .contains("PutBucketPolicy", "Tagged")
        .doesNotContain("Commented", "NotAnAction", "s3.amazonaws.com");
  }

  @Test
  void anUnknownNameIsAnErrorInTestWithItsFileAndLine() {
    List<String> errors =
        errors(policy("[StopLogging, StopLoging]", "action == \"DeleteTral\"", "[cloudtrail]"));
    assertThat(errors)
        .containsExactlyInAnyOrder(
            "p/policy.yaml:10: eventNames: 'StopLoging' is not a CloudTrail event name; did you"
                + " mean StopLogging?",
            "p/policy.drl:5: action compared with 'DeleteTral' is not a CloudTrail event name;"
                + " did you mean DeleteTrail?",
            notRouted("DeleteTral"));
  }

  @Test
  void theApiNameOfARenamedS3CallGetsTheCloudTrailNameAsHint() {
    List<String> errors =
        errors(
            policy(
                "[PutBucketLifecycleConfiguration]",
                "action == \"PutBucketLifecycle\"",
                "[cloudtrail]"));
    assertThat(errors)
        .containsExactly(
            "p/policy.yaml:10: eventNames: 'PutBucketLifecycleConfiguration' is not a CloudTrail"
                + " event name; CloudTrail logs PutBucketLifecycleConfiguration as"
                + " PutBucketLifecycle (s3); use that name",
            notRouted("PutBucketLifecycle"));
  }

  @Test
  void atRunTimeUnknownNamesAreWarningsAndThePoliciesLoad() throws Exception {
    PolicySet set =
        Folders.compiler(false)
            .compile(policy("[StopLoging]", "action == \"StopLogging\"", "[cloudtrail]"));
    assertThat(set.policies()).containsKey("p");
    assertThat(set.warnings())
        .extracting(Problem::toString)
        .containsExactly(
            "p/policy.yaml:10: eventNames: 'StopLoging' is not a CloudTrail event name; did you"
                + " mean StopLogging?",
            notRouted("StopLogging"));
  }

  @Test
  void aLambdaApiNameLoggedWithItsVersionIsAWarningEvenInTest() throws Exception {
    PolicySet set =
        Folders.compiler(true)
            .compile(
                policy(
                    "[UpdateFunctionCode, UpdateFunctionCode20150331v2]",
                    "action == \"UpdateFunctionCode20150331v2\"",
                    "[cloudtrail]"));
    assertThat(set.warnings())
        .extracting(Problem::toString)
        .singleElement()
        .asString()
        .startsWith("p/policy.yaml:10: eventNames: 'UpdateFunctionCode': CloudTrail logs")
        .contains("UpdateFunctionCode20150331v2");
  }

  /** What the routing lint says of a name a rule compares action with but eventNames lacks. */
  static String notRouted(String name) {
    return "p/policy.drl:5: action compared with '"
        + name
        + "', which is not in eventNames of p/policy.yaml: events are routed to a policy by its"
        + " eventNames, so this rule never sees a "
        + name
        + " event (add it to eventNames, or use [\"*\"])";
  }

  @Test
  void aNameARuleRequiresButEventNamesLacksIsAnErrorInTestAndAWarningAtRunTime() throws Exception {
    Map<String, byte[]> files =
        policy("[StopLogging]", "action in (\"StopLogging\", \"DeleteTrail\")", "[cloudtrail]");
    assertThat(errors(files)).containsExactly(notRouted("DeleteTrail"));
    assertThat(Folders.compiler(false).compile(files).warnings())
        .extracting(Problem::toString)
        .containsExactly(notRouted("DeleteTrail"));
    // Names a rule excludes need not be listed; a policy about every action needs none.
    assertThat(errors(policy("[StopLogging]", "action != \"DeleteTrail\"", "[cloudtrail]")))
        .isEmpty();
    assertThat(errors(policy("[StopLogging]", "action not in (\"DeleteTrail\")", "[cloudtrail]")))
        .isEmpty();
    assertThat(errors(policy("[\"*\"]", "action == \"DeleteTrail\"", "[cloudtrail]"))).isEmpty();
    assertThat(errors(policy("[create]", "action == \"patch\"", "[k8s-audit]")))
        .containsExactly(notRouted("patch"));
  }

  @Test
  void kubernetesVerbsAreNotCheckedButCloudTrailNamesOfAMixedPolicyAre() {
    assertThat(
            errors(
                policy(
                    "[create, patch, StopLoggin]",
                    "action == \"create\"",
                    "[cloudtrail, k8s-audit]")))
        .containsExactly(
            "p/policy.yaml:10: eventNames: 'StopLoggin' is not a CloudTrail event name; did you"
                + " mean StopLogging?");
    assertThat(errors(policy("[create, patch]", "action == \"create\"", "[k8s-audit]"))).isEmpty();
  }
}
