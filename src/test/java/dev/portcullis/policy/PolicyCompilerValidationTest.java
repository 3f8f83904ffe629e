package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Loading a policy folder: metadata validation with file, line and field; DRL errors. */
class PolicyCompilerValidationTest {

  static final String DRL =
      "package portcullis.policies;\n"
          + "rule \"t\"\nwhen\n  $e : ChangeEvent( action == \"StopLogging\" )\n"
          + "then\n  verdicts.flag(drools, \"stopped\");\nend\n";

  static List<String> problems(Map<String, byte[]> files) {
    try {
      Folders.compiler(false).compile(files);
    } catch (PolicyLoadException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("the folder loaded");
  }

  @Test
  void theRepositoryRulesLoadWithoutWarnings() throws Exception {
    PolicySet set = Folders.compiler(true).compile(Folders.rules());
    assertThat(set.policies()).containsKey("cloudtrail-stopped");
    assertThat(set.warnings()).isEmpty();
    PolicyMetadata m = set.policies().get("cloudtrail-stopped");
    assertThat(m.runbook()).startsWith("https://");
    assertThat(m.eventNames()).containsExactly("StopLogging", "DeleteTrail");
  }

  @Test
  void everyMissingFieldIsNamedWithFileAndLine() {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(files, "p/policy.drl", DRL);
    Folders.put(files, "p/policy.yaml", "id: p\ntitle: A title\nseverity: high\n");
    List<String> problems = problems(files);
    assertThat(problems)
        .contains(
            "p/policy.yaml:1: description: is required",
            "p/policy.yaml:1: enforcement: is required",
            "p/policy.yaml:1: owner: is required",
            "p/policy.yaml:1: runbook: is required",
            "p/policy.yaml:1: tags: is required (a list)",
            "p/policy.yaml:1: sources: is required (a list)",
            "p/policy.yaml:1: eventNames: is required (a list)");
  }

  @Test
  void invalidValuesAreNamedAtTheirLine() {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(files, "p/policy.drl", DRL);
    Folders.put(
        files,
        "p/policy.yaml",
        Folders.metadata("other", "block", "[StopLogging]")
                .replace("https://runbooks.example.com/other", "runbooks/p.md")
                .replace("sources: [cloudtrail]", "sources: [cloudtrail, gcp-audit]")
                .replace("severity: high", "severity: urgent")
                .replace("enforcement: block", "enforcement: suppressed")
            + "dedupWindow: 30 minutes\n");
    List<String> problems = problems(files);
    assertThat(problems)
        .contains(
            "p/policy.yaml:1: id: 'other' must equal the folder name 'p'",
            "p/policy.yaml:4: severity: 'urgent' is not one of critical, high, medium, low, info",
            "p/policy.yaml:5: enforcement: 'suppressed' is not one of block, alert, audit",
            "p/policy.yaml:7: runbook: 'runbooks/p.md' is not an http(s) URL",
            "p/policy.yaml:9: sources: 'gcp-audit' is not an event source (cloudtrail, k8s-audit)",
            "p/policy.yaml:11: dedupWindow: '30 minutes' is not an ISO-8601 duration such as PT30M"
                + " or PT1H");
  }

  @Test
  void aValidDedupWindowIsReadAndUnknownFieldsAreWarnings() throws Exception {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(files, "p/policy.drl", DRL);
    Folders.put(
        files,
        "p/policy.yaml",
        Folders.metadata("p", "alert", "[StopLogging]") + "dedupWindow: PT30M\nreferences: [x]\n");
    PolicySet set = Folders.compiler(true).compile(files);
    assertThat(set.policies().get("p").dedupWindow()).hasMinutes(30);
    assertThat(set.warnings())
        .extracting(Problem::toString)
        .anyMatch(w -> w.startsWith("p/policy.yaml:12: unknown field 'references' is ignored"));
  }

  @Test
  void aDrlSyntaxErrorNamesFileAndLineOnce() {
    Map<String, byte[]> files = Folders.rules();
    String drl = Folders.text(files, "cloudtrail-stopped/policy.drl");
    Folders.put(
        files,
        "cloudtrail-stopped/policy.drl",
        drl.replace("outcome.effective )", "outcome.effective ) )"));
    List<String> problems = problems(files);
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("cloudtrail-stopped/policy.drl:9: ");
  }

  @Test
  void aRuleThatParsesButDoesNotCompileNamesItsFileAndLine() {
    // Built with every other policy in one pass: the error still names its own file and the line
    // of its pattern.
    Map<String, byte[]> files = Folders.rules();
    String drl = Folders.text(files, "cloudtrail-stopped/policy.drl");
    Folders.put(
        files,
        "cloudtrail-stopped/policy.drl",
        drl.replace("outcome.effective )", "outcome.effective, noSuchField == 3 )"));
    List<String> problems = problems(files);
    assertThat(problems).isNotEmpty();
    assertThat(problems).allMatch(p -> p.startsWith("cloudtrail-stopped/policy.drl:6: "));
    assertThat(problems.get(0)).contains("noSuchField");
  }

  @Test
  void twoPoliciesWithARuleOfTheSameNameAreRejected() {
    Map<String, byte[]> files = Folders.rules();
    Folders.put(files, "first/policy.drl", DRL);
    Folders.put(files, "first/policy.yaml", Folders.metadata("first", "alert", "[StopLogging]"));
    Folders.put(files, "second/policy.drl", DRL);
    Folders.put(files, "second/policy.yaml", Folders.metadata("second", "alert", "[StopLogging]"));
    assertThat(problems(files)).anyMatch(p -> p.contains("Duplicate rule name: t"));
  }

  @Test
  void metadataWithoutARuleAndARuleOutsideAFolderAreRejected() {
    Map<String, byte[]> files = Folders.rules();
    Folders.put(files, "lonely/policy.yaml", Folders.metadata("lonely", "alert", "[StopLogging]"));
    Folders.put(files, "stray.drl", DRL);
    assertThat(problems(files))
        .contains(
            "lonely/policy.yaml: the policy has no rule (lonely/policy.drl)",
            "stray.drl: a rule file must live in its policy's folder (<id>/policy.drl)");
  }

  @Test
  void theVersionIgnoresTestCasesButNotRules() {
    Map<String, byte[]> files = Folders.rules();
    String v = PolicyCompiler.version(files);
    Folders.put(files, "cloudtrail-stopped/tests/extra.yaml", "description: x\n");
    assertThat(PolicyCompiler.version(files)).isEqualTo(v);
    Folders.put(files, "cloudtrail-stopped/policy.drl", DRL);
    assertThat(PolicyCompiler.version(files)).isNotEqualTo(v);
  }

  @Test
  void aBrokenYamlFileNamesItsLine() {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(files, "p/policy.drl", DRL);
    Folders.put(files, "p/policy.yaml", "id: p\ntitle: [unclosed\nowner: x\n");
    assertThatThrownBy(() -> Folders.compiler(false).compile(files))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageMatching("(?s)p/policy.yaml:[34]: not valid YAML: .*");
  }
}
