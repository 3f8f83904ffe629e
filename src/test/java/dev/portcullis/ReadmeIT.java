package dev.portcullis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portcullis.testing.PackagedApp;
import dev.portcullis.testing.SystemTools;
import dev.portcullis.testing.TempDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's promises, against the packaged jar started with no Kafka configured: it runs its own
 * broker, the README's kcat commands send an event and read its decision back, the curl dry run
 * answers, and a restart on the same data folder keeps the topics and does not decide the event
 * again. The README's commands are read from README.md itself, with only the ports changed (so a
 * real instance on the default ports is left alone).
 */
class ReadmeIT {

  static final String EVENT_ID = "3d5a4a52-6c1f-4c1b-9b4e-0d1c2a3b4c5d";

  @Test
  void theReadmeCommandsWorkAgainstThePackagedJarWithItsEmbeddedBroker() throws Exception {
    String kcat = SystemTools.require("kcat", "kcat");
    int kafkaPort = PackagedApp.freePort();
    Path data = TempDirs.create("portcullis-readme-kafka");
    Map<String, String> env =
        Map.of(
            "PORTCULLIS_EMBEDDED_KAFKA_PORT",
            String.valueOf(kafkaPort),
            "PORTCULLIS_EMBEDDED_KAFKA_DATA_DIR",
            data.toString(),
            // The stream's local state in a folder of the test's, not in ./data/streams (not
            // inside the broker's folder: the broker refuses a folder it does not know).
            "KAFKA_STREAMS_STATE_DIR",
            TempDirs.create("portcullis-readme-streams").toString());
    List<String> commands = readmeBlockAfter("## Send it an event");
    assertThat(commands).hasSize(2).allMatch(c -> c.startsWith("kcat "));
    String produce = commands.get(0).replace("127.0.0.1:9092", "127.0.0.1:" + kafkaPort);
    String consume = commands.get(1).replace("127.0.0.1:9092", "127.0.0.1:" + kafkaPort);

    try (PackagedApp app = PackagedApp.start("readme-run-1", env, Duration.ofSeconds(90))) {
      assertThat(app.log()).contains("started an embedded single-node KRaft broker");
      assertThat(shell(produce.replaceFirst("^kcat", kcat)).exitCode).isZero();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> shell(consume.replaceFirst("^kcat", kcat)).output.contains(EVENT_ID));
      String decisions = shell(consume.replaceFirst("^kcat", kcat)).output;
      assertThat(decisions)
          .contains("\"policy\":\"cloudtrail-stopped\"")
          .contains("\"action\":\"alert\"");

      String curl =
          readmeBlockAfter("Without Kafka, ask for a dry run")
              .get(0)
              .replace("localhost:8080", "127.0.0.1:" + app.httpPort());
      Result dryRun = shell(curl);
      assertThat(dryRun.output).contains(EVENT_ID).contains("cloudtrail-stopped");
    }

    // Same data folder: topics and committed offsets survive; the event is not decided again.
    try (PackagedApp app = PackagedApp.start("readme-run-2", env, Duration.ofSeconds(90))) {
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> count(shell(consume.replaceFirst("^kcat", kcat)).output, EVENT_ID) == 1);
    }
  }

  /** The command lines of the first fenced block after the line containing {@code marker}. */
  static List<String> readmeBlockAfter(String marker) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("README.md"));
    int i = 0;
    while (i < lines.size() && !lines.get(i).contains(marker)) {
      i++;
    }
    while (i < lines.size() && !lines.get(i).startsWith("```")) {
      i++;
    }
    List<String> out = new ArrayList<>();
    for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
      if (!lines.get(i).isBlank()) {
        out.add(lines.get(i).trim());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("README.md has no command block after '" + marker + "'");
    }
    return out;
  }

  record Result(int exitCode, String output) {}

  static Result shell(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + command);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
