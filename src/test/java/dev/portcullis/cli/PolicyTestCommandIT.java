package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authoring commands of the packaged jar, run as authors run them: {@code java -jar
 * target/quarkus-app/quarkus-run.jar test [rules-dir]} and {@code docs}. Run by failsafe after
 * packaging.
 */
class PolicyTestCommandIT {

  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  record Run(int exit, String output) {}

  static Run run(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the command finished").isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static Path copyRules(Path target) throws IOException {
    Path src = Path.of("rules").toAbsolutePath();
    try (Stream<Path> walk = Files.walk(src)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path to = target.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return target;
  }

  @Test
  void theRepositoryPoliciesPassWithoutStartingTheService() throws Exception {
    Run r = run(Path.of("."), "test", "rules");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("PASS  cloudtrail-stopped  stop-logging-by-a-person")
        .contains("PASS  cloudtrail-stopped  failed-stop-logging")
        .containsPattern("Summary: \\d+ passed, 0 failed");
    // The service did not boot: no HTTP server, no Kafka broker, no Quarkus start-up line.
    assertThat(r.output()).doesNotContain("Listening on", "Installed features", "started in");
  }

  @Test
  void aBrokenRuleFailsWithItsFileAndLine(@TempDir Path tmp) throws Exception {
    Path rules = copyRules(tmp.resolve("rules"));
    Path drl = rules.resolve("cloudtrail-stopped/policy.drl");
    Files.writeString(
        drl, Files.readString(drl).replace("outcome.effective )", "outcome.effective ) )"));
    Run r = run(tmp, "test", "rules");
    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(r.output())
        .containsPattern("ERROR rules/cloudtrail-stopped/policy\\.drl:9: ")
        .contains("Summary: 0 passed, 0 failed, 1 load error");
  }

  @Test
  void aWrongExpectationFailsWithExpectedAndActual(@TempDir Path tmp) throws Exception {
    Path rules = copyRules(tmp.resolve("rules"));
    Path c = rules.resolve("cloudtrail-stopped/tests/failed-stop-logging.yaml");
    Files.writeString(
        c,
        Files.readString(c).replace("expect: []", "expect:\n  - {action: alert, severity: high}"));
    Run r = run(tmp, "test", rules.toString());
    assertThat(r.exit()).as(r.output()).isEqualTo(1);
    assertThat(r.output())
        .contains("FAIL  cloudtrail-stopped  failed-stop-logging")
        .contains("expected: [alert/high]")
        .contains("actual:   no decision")
        .containsPattern("Summary: \\d+ passed, 1 failed");
  }

  @Test
  void anUnknownEventNameFailsTheTestRunWithAHint(@TempDir Path tmp) throws Exception {
    Path rules = copyRules(tmp.resolve("rules"));
    Path yaml = rules.resolve("cloudtrail-stopped/policy.yaml");
    Files.writeString(
        yaml,
        Files.readString(yaml)
            .replace(
                "[StopLogging, DeleteTrail]",
                "[StopLogging, DeleteTrail, PutBucketLifecycleConfiguration]"));
    Run r = run(tmp, "test", "rules");
    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(r.output())
        .contains(
            "ERROR rules/cloudtrail-stopped/policy.yaml:12: eventNames: 'PutBucketLifecycleConfiguration'"
                + " is not a CloudTrail event name; CloudTrail logs PutBucketLifecycleConfiguration as"
                + " PutBucketLifecycle (s3); use that name");
  }

  @Test
  void theDocsCommandWritesTheCommittedDocs(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("policies.md");
    Run r = run(Path.of("."), "docs", "rules", out.toString());
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(Files.readString(out)).isEqualTo(Files.readString(Path.of("docs/policies.md")));
  }
}
