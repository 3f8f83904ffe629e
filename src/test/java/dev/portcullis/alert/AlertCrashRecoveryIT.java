package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TopicWatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crashes for real: the packaged service runs as its own process against a real Kafka broker and is
 * killed with SIGKILL (no shutdown, no commit), then started again. Pages must neither be lost nor
 * sent twice.
 */
class AlertCrashRecoveryIT {

  static final String ROUTING_KEY = "CRASHK3Y00000000000000000000000X";
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
  static final Duration START = Duration.ofSeconds(120);
  // A restart waits for the killed member to leave its group (session timeout 15 s), on a busy
  // machine.
  static final Duration WAIT = Duration.ofSeconds(90);

  /**
   * Topics of this class alone: other tests' decisions on the shared broker must not queue up in
   * front of this test's alerts.
   */
  static final String RUN = java.util.UUID.randomUUID().toString().substring(0, 8);

  static final String CLOUDTRAIL = "crash-it.cloudtrail." + RUN;
  static final String STATE = "crash-it.alert-state." + RUN;

  static String bootstrap;
  static Producer producer;
  static FakePagerDuty pagerDuty;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static int runs;

  @BeforeAll
  static void setUp() {
    assertThat(JAR).as("the packaged service (mvn package)").exists();
    bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    producer = new Producer(bootstrap);
    pagerDuty = (FakePagerDuty) new FakePagerDuty(ROUTING_KEY).start();
  }

  @AfterAll
  static void tearDown() {
    producer.close();
    pagerDuty.close();
  }

  /** The packaged service as a child process. */
  static final class Service implements AutoCloseable {
    final Process process;
    final int port;
    final Path log;

    Service() {
      port = freePort();
      log = Path.of("target", "alert-crash-it-" + (++runs) + ".log");
      Map<String, String> p = new TreeMap<>();
      p.put("kafka.bootstrap.servers", bootstrap);
      p.put("quarkus.http.port", String.valueOf(port));
      p.put("portcullis.policy.dir", "rules");
      p.put("portcullis.topics.cloudtrail", CLOUDTRAIL);
      p.put("portcullis.topics.k8s-audit", "crash-it.k8s-audit." + RUN);
      p.put("portcullis.topics.decisions", "crash-it.decisions." + RUN);
      p.put("portcullis.topics.changes", "crash-it.changes." + RUN);
      p.put("quarkus.kafka-streams.application-id", "crash-it-" + RUN);
      p.put("portcullis.topics.dead-letter", "crash-it.dead-letter." + RUN);
      p.put("portcullis.alert.topic", "crash-it.alerts." + RUN);
      p.put("portcullis.alert.state-topic", STATE);
      p.put("portcullis.alert.pagerduty.routing-key", ROUTING_KEY);
      p.put("portcullis.alert.pagerduty.url", pagerDuty.url());
      p.put("portcullis.alert.pagerduty.retry.initial-backoff", "PT0.05S");
      p.put("portcullis.alert.pagerduty.retry.max-backoff", "PT0.5S");
      p.put("portcullis.alert.pagerduty.circuit-breaker.open-for", "PT0.5S");
      p.put("portcullis.alert.pagerduty.rate-limit", "0");
      // Nothing delivery reads is ever committed, so every restart reads every pending alert
      // again: the harshest case for duplicate pages.
      p.put("mp.messaging.incoming.alerts-in.auto.commit.interval.ms", "3600000");
      // A killed member leaves its group quickly, so the restarted one is not kept waiting.
      p.put("mp.messaging.connector.smallrye-kafka.session.timeout.ms", "6000");
      p.put("mp.messaging.connector.smallrye-kafka.heartbeat.interval.ms", "1000");
      // Four starts, none about the warm-up (TopologyProducerTest runs it).
      p.put("portcullis.stream.warm-up", "0s");
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      p.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
      cmd.add("-jar");
      cmd.add(JAR.toString());
      try {
        process =
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      await()
          .atMost(START)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(
              () -> {
                assertThat(process.isAlive()).as("service running, see %s", log).isTrue();
                return get("/q/health/live").statusCode() == 200;
              });
    }

    HttpResponse<String> get(String path) throws Exception {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    JsonNode alerts() throws Exception {
      return Events.read(get("/v1/alerts?all=true").body());
    }

    JsonNode alert(String key) throws Exception {
      for (JsonNode a : alerts()) {
        if (key.equals(a.path("dedupKey").asText())) {
          return a;
        }
      }
      return null;
    }

    String metrics() throws Exception {
      return get("/q/metrics").body();
    }

    /** SIGKILL: no shutdown hook, no offset commit, no flush. */
    void kill() throws InterruptedException {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      // A graceful stop waits up to the commit interval for unacknowledged records, which these
      // runs set to an hour; the stop itself is not what is tested here.
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  static String stopLogging(String trail) {
    String id = Events.newId();
    producer.send(
        CLOUDTRAIL,
        Events.load("stop-logging.json", id).replace("trail/org-trail", "trail/" + trail));
    return id;
  }

  static List<String> keysOf(Service s, List<String> trails) throws Exception {
    List<String> keys = new ArrayList<>();
    for (String t : trails) {
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(() -> s.alerts().toString().contains("trail/" + t));
      for (JsonNode a : s.alerts()) {
        if (a.path("target").asText().endsWith("trail/" + t)) {
          keys.add(a.path("dedupKey").asText());
        }
      }
    }
    assertThat(keys).hasSize(trails.size());
    return keys;
  }

  /** The last state record written for a key, as read from the compacted topic. */
  static JsonNode lastState(TopicWatcher state, String key) {
    List<TopicWatcher.Record> rs = state.withKey(key);
    return rs.isEmpty() || rs.get(rs.size() - 1).value() == null
        ? null
        : Events.read(rs.get(rs.size() - 1).value());
  }

  @Test
  void aCrashDuringAPagerDutyOutageLosesNoPageAndTheRestartSendsEachOnce() throws Exception {
    List<String> trails = List.of("crash-a-" + runs, "crash-b-" + runs, "crash-c-" + runs);
    pagerDuty.stop();
    List<String> keys;
    try (Service first = new Service();
        TopicWatcher state = new TopicWatcher(bootstrap, STATE)) {
      trails.forEach(AlertCrashRecoveryIT::stopLogging);
      keys = keysOf(first, trails);
      // The pages are owed, and that is on record in Kafka, when the process dies.
      for (String k : keys) {
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  JsonNode s = lastState(state, k);
                  return s != null && s.path("owed").toString().contains("pagerduty");
                });
      }
      first.kill();
    }
    for (String k : keys) {
      assertThat(pagerDuty.events(k, "trigger")).isEmpty();
    }
    pagerDuty.start();

    try (Service second = new Service()) {
      for (String k : keys) {
        await().atMost(WAIT).until(() -> pagerDuty.events(k, "trigger").size() == 1);
      }
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(15))
          .until(() -> keys.stream().allMatch(k -> pagerDuty.events(k, "trigger").size() == 1));
      for (String k : keys) {
        await().atMost(WAIT).ignoreExceptions().until(() -> second.alert(k).path("owed").isEmpty());
        assertThat(pagerDuty.incidents(k)).isEqualTo(1);
      }
    }
  }

  @Test
  void aCrashAfterThePageButBeforeTheCommitDoesNotPageAgain() throws Exception {
    List<String> trails = List.of("delivered-a-" + runs, "delivered-b-" + runs);
    List<String> keys;
    try (Service first = new Service();
        TopicWatcher state = new TopicWatcher(bootstrap, STATE)) {
      trails.forEach(AlertCrashRecoveryIT::stopLogging);
      keys = keysOf(first, trails);
      for (String k : keys) {
        await().atMost(WAIT).until(() -> pagerDuty.events(k, "trigger").size() == 1);
        // Delivered and recorded as delivered: nothing owed in the state topic.
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  JsonNode s = lastState(state, k);
                  return s != null && s.path("owed").isEmpty() && s.path("count").asLong() >= 1;
                });
      }
      first.kill(); // before any commit: the restart reads these pending alerts again
    }

    try (Service second = new Service()) {
      // The restarted service did read them again, and recognised them.
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () ->
                  second
                      .metrics()
                      .matches(
                          "(?s).*portcullis_alert_dedup_total\\{outcome=\"already-applied\"\\}"
                              + " ([2-9]|[1-9][0-9]+)\\.0.*"));
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(15))
          .until(() -> keys.stream().allMatch(k -> pagerDuty.events(k, "trigger").size() == 1));
      for (String k : keys) {
        assertThat(pagerDuty.incidents(k)).isEqualTo(1);
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static {
    try {
      Files.createDirectories(Path.of("target"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
