package dev.portcullis.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.FakeCloudTrail;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gaps filled from CloudTrail LookupEvents (a fake of the API, see {@link FakeCloudTrail}): events
 * the stream never delivered are decided and counted as backfilled, more than a page of them, read
 * within the API's rate limit; an event the stream did deliver is not decided again; an event older
 * than the lookback is left alone.
 */
@QuarkusTest
@TestProfile(BackfillTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class BackfillTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(60);
  static FakeCloudTrail cloudtrail;

  /** StopLogging by a person, with a fresh id and the given time. */
  static String stopLogging(String id, Instant at) {
    try (InputStream in =
        BackfillTest.class
            .getClassLoader()
            .getResourceAsStream("intake/eventbridge-stop-logging.json")) {
      ObjectNode detail =
          (ObjectNode)
              JSON.readTree(
                      new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${ID}", id))
                  .path("detail");
      detail.put("eventTime", at.truncatedTo(ChronoUnit.SECONDS).toString());
      return JSON.writeValueAsString(detail);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final Instant NOW = Instant.now();
  static final List<String> MISSED = new ArrayList<>();
  static final String DELIVERED = UUID.randomUUID().toString();
  static final String TOO_OLD = UUID.randomUUID().toString();
  static final String DELETE_TRAIL = UUID.randomUUID().toString();

  static synchronized FakeCloudTrail fake() {
    if (cloudtrail == null) {
      cloudtrail = new FakeCloudTrail();
      for (int i = 0; i < 60; i++) {
        String id = UUID.randomUUID().toString();
        MISSED.add(id);
        cloudtrail.add(stopLogging(id, NOW.minusSeconds(600 + i)));
      }
      cloudtrail.add(stopLogging(TOO_OLD, NOW.minus(Duration.ofHours(2))));
      try {
        cloudtrail.add(
            Files.readString(Path.of("rules/cloudtrail-stopped/tests/events/delete-trail.json"))
                .replace("6a1b7c3d-2222-4e8f-9a00-000000000002", DELETE_TRAIL)
                .replace(
                    "2026-11-21T16:02:40Z",
                    NOW.minusSeconds(120).truncatedTo(ChronoUnit.SECONDS).toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cloudtrail;
  }

  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "portcullis.aws.cloudtrail.enabled", "true",
          "portcullis.aws.cloudtrail.endpoint", fake().endpoint().toString(),
          "portcullis.aws.cloudtrail.access-key-id", "AKIAFAKE",
          "portcullis.aws.cloudtrail.secret-access-key", "fake",
          "portcullis.aws.cloudtrail.initial-delay", "PT2S",
          "portcullis.aws.cloudtrail.every", "PT3S");
    }
  }

  static TopicWatcher decisions;

  @BeforeAll
  static void deliverOne() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    decisions = new TopicWatcher(bootstrap, "portcullis.decisions");
    try (Producer p = new Producer(bootstrap)) {
      p.send(
          "portcullis.cloudtrail",
          DELIVERED,
          stopLogging(DELIVERED, NOW.minusSeconds(300)).getBytes(StandardCharsets.UTF_8));
    }
  }

  @AfterAll
  static void close() throws Exception {
    decisions.close();
    cloudtrail.close();
  }

  static double metric(String series) {
    for (String line : RestAssured.get("/q/metrics").asString().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  @Test
  void eventsTheStreamNeverDeliveredAreDecidedOnceEachWithinTheRateLimit() {
    // The stream delivered this one; only then does CloudTrail's history show it too.
    await().atMost(WAIT).until(() -> !decisions.withKey(DELIVERED).isEmpty());
    cloudtrail.add(stopLogging(DELIVERED, NOW.minusSeconds(300)));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String id : MISSED) {
                assertThat(decisions.withKey(id)).as(id).isNotEmpty();
              }
              assertThat(decisions.withKey(DELETE_TRAIL)).isNotEmpty();
            });
    assertThat(decisions.withKey(MISSED.get(0)).get(0).value()).contains("cloudtrail-stopped");
    // Another sweep reads them all again: still one decision each, the delivered one included.
    double sweeps = metric("portcullis_backfill_sweeps_total{result=\"ok\"}");
    await()
        .atMost(WAIT)
        .until(() -> metric("portcullis_backfill_sweeps_total{result=\"ok\"}") >= sweeps + 1);
    for (String id : MISSED) {
      assertThat(decisions.withKey(id)).as(id).hasSize(1);
    }
    assertThat(decisions.withKey(DELIVERED)).hasSize(1);
    assertThat(decisions.withKey(TOO_OLD)).isEmpty();
    assertThat(metric("portcullis_events_backfilled_total{source=\"cloudtrail\"}"))
        .isEqualTo(MISSED.size() + 1);

    // Within the API's limits: more than one page of StopLogging, never above two calls a second.
    List<FakeCloudTrail.Call> calls = cloudtrail.calls;
    assertThat(calls.stream().filter(c -> c.error() != null && !c.throttled())).isEmpty();
    assertThat(cloudtrail.mostAnsweredInOneSecond()).isLessThanOrEqualTo(2);
    assertThat(metric("portcullis_backfill_calls_total")).isGreaterThanOrEqualTo(3);
  }
}
