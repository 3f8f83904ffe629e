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
}
