package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portcullis.enrich.Enrichment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/policies.md is generated from rules/ and must not drift from it. */
class PolicyDocsTest {

  @Test
  void theCommittedPolicyDocsAreUpToDate() throws IOException {
    PolicyTestSuite suite = PolicyTestSuite.load(Path.of("rules"));
    String expected = PolicyDocs.render(suite);
    Path file = Path.of(PolicyDocs.FILE);
    String actual = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    if (!expected.equals(actual)) {
      fail(
          PolicyDocs.FILE
              + " is stale (it does not match rules/). Regenerate it with: "
              + PolicyDocs.COMMAND
              + "   (build the jar first if needed: ./mvnw -B package -DskipTests)");
    }
  }

  @Test
  void eachPolicyHasASectionWithItsMetadataAndCases() {
    Map<String, byte[]> files = Folders.rules();
    Folders.put(
        files,
        "cloudtrail-stopped/policy.yaml",
        Folders.text(files, "cloudtrail-stopped/policy.yaml") + "dedupWindow: PT30M\n");
    String md =
        PolicyDocs.render(
            PolicyTestSuite.load(files, Folders.compiler(true), Enrichment.standard()));
    assertThat(md)
        .contains("## cloudtrail-stopped")
        .contains("- Severity: high")
        .contains("- Enforcement: alert")
        .contains("- Runbook: <https://")
        .contains("- Alert dedup window: PT30M")
        .contains(
            "| [`failed-stop-logging`](../rules/cloudtrail-stopped/tests/failed-stop-logging.yaml) |")
        .contains("| does not fire |")
        .contains("| alert, high |")
        .contains("event 1: alert, high; event 2: does not fire");
  }

  @Test
  void theParametersAreShownAsWrittenWithTheirComments() {
    String md =
        PolicyDocs.render(
            PolicyTestSuite.load(Folders.rules(), Folders.compiler(true), Enrichment.standard()));
    String zone = md.substring(md.indexOf("## dns-zone-split-brain"));
    assertThat(zone)
        .contains("### Parameters")
        .contains("`portcullis.policy.parameters.\"dns-zone-split-brain\"={...}`")
        .contains(
            "```yaml\nparameters:\n  # Each pair: {a: {zoneId: Z..., apex: cluster.example.com},")
        .contains("  # How far behind the newest event time an event may still arrive.\n")
        .contains("  allowedLatenessSeconds: 300\n");
    String noParameters = md.substring(md.indexOf("## cloudtrail-stopped"));
    noParameters = noParameters.substring(0, noParameters.indexOf("\n## ", 5));
    assertThat(noParameters).doesNotContain("### Parameters");
  }

  @Test
  void theParametersBlockEndsAtTheNextKey() {
    String yaml =
        "id: x\nparameters:\n  # the limit\n  limit: 3\n\n  list:\n    - a\n"
            + "# about the next key\nseverity: high\n";
    assertThat(PolicyDocs.parametersBlock(yaml))
        .isEqualTo("parameters:\n  # the limit\n  limit: 3\n\n  list:\n    - a\n");
    assertThat(PolicyDocs.parametersBlock("id: x\nseverity: high\n")).isEmpty();
  }
}
