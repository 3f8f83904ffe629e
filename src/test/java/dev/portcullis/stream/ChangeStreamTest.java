package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.LearnedState;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stream end to end through a real Kafka broker: records in on the input topics, decision
 * records and dead letters out.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class ChangeStreamTest {

  static final String CLOUDTRAIL = "portcullis.cloudtrail";
  static final String K8S = "portcullis.k8s-audit";
  static final Duration WAIT = Duration.ofSeconds(30);

  static Producer producer;
  static TopicWatcher decisions;
  static TopicWatcher deadLetters;

  @BeforeAll
  static void watch() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    producer = new Producer(bootstrap);
    decisions = new TopicWatcher(bootstrap, "portcullis.decisions");
    deadLetters = new TopicWatcher(bootstrap, "portcullis.dead-letter");
  }

  @AfterAll
  static void close() throws Exception {
    producer.close();
    decisions.close();
    deadLetters.close();
  }

  static JsonNode awaitDecision(String id) {
    await().atMost(WAIT).until(() -> !decisions.withKey(id).isEmpty());
    return Events.read(decisions.withKey(id).get(0).value());
  }

  @Test
  void aStoppedTrailGetsAnAlertDecisionKeyedByEventId() {
    String id = Events.newId();
    producer.send(CLOUDTRAIL, Events.load("stop-logging.json", id));

    JsonNode record = awaitDecision(id);
    assertThat(record.path("eventId").asText()).isEqualTo(id);
    assertThat(record.path("source").asText()).isEqualTo("cloudtrail");
    assertThat(record.path("eventTime").asText()).isEqualTo("2026-11-20T09:14:02Z");
    assertThat(record.path("action").asText()).isEqualTo("StopLogging");
    assertThat(record.path("actor").path("principal").asText())
        .isEqualTo("arn:aws:sts::111122223333:assumed-role/Ops/ops-alice");
    assertThat(record.path("target").path("account").asText()).isEqualTo("111122223333");
    JsonNode decision = record.path("decisions").get(0);
    assertThat(decision.path("policy").asText()).isEqualTo("cloudtrail-stopped");
    assertThat(decision.path("action").asText()).isEqualTo("alert");
    assertThat(decision.path("severity").asText()).isEqualTo("high");
    assertThat(decision.path("summary").asText())
        .contains("ops-alice", "StopLogging", "trail/org-trail", "111122223333");
  }

  @Test
  void anEventNoPolicyObjectsToStillGetsItsRecordWithNoDecisions() {
    String id = Events.newId();
    producer.send(CLOUDTRAIL, Events.load("list-buckets.json", id));

    JsonNode record = awaitDecision(id);
    assertThat(record.path("decisions").isArray()).isTrue();
    assertThat(record.path("decisions")).isEmpty();
    assertThat(record.path("actor").path("type").asText()).isEqualTo("human");
  }

  @Test
  void aGzipCompressedLogFileYieldsOneDecisionPerRecord() {
    String a = Events.newId();
    String b = Events.newId();
    String file =
        "{\"Records\":["
            + Events.load("stop-logging.json", a)
            + ","
            + Events.load("list-buckets.json", b)
            + "]}";
    producer.send(CLOUDTRAIL, Events.gzip(file));

    assertThat(awaitDecision(a).path("decisions")).hasSize(1);
    assertThat(awaitDecision(b).path("decisions")).isEmpty();
  }

  @Test
  void anEventBridgeEnvelopeIsUnwrapped() {
    String id = Events.newId();
    String envelope =
        "{\"version\":\"0\",\"id\":\"2c0c4e4a-0000-0000-0000-000000000000\","
            + "\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"aws.cloudtrail\","
            + "\"account\":\"111122223333\",\"time\":\"2026-11-20T09:14:02Z\","
            + "\"region\":\"eu-west-1\",\"resources\":[],\"detail\":"
            + Events.load("stop-logging.json", id)
            + "}";
    producer.send(CLOUDTRAIL, envelope);

    assertThat(awaitDecision(id).path("decisions").get(0).path("policy").asText())
        .isEqualTo("cloudtrail-stopped");
  }

  @Test
  void theSameEventDeliveredTwiceYieldsOneDecision() {
    String id = Events.newId();
    String marker = Events.newId();
    String event = Events.load("stop-logging.json", id);
    // One key puts all three on one partition, so the marker is read after both copies.
    producer.send(CLOUDTRAIL, "k-" + id, event.getBytes(StandardCharsets.UTF_8));
    producer.send(CLOUDTRAIL, "k-" + id, event.getBytes(StandardCharsets.UTF_8));
    producer.send(
        CLOUDTRAIL,
        "k-" + id,
        Events.load("list-buckets.json", marker).getBytes(StandardCharsets.UTF_8));

    awaitDecision(marker);
    assertThat(decisions.withKey(id)).hasSize(1);
  }

  @Test
  void aPoisonRecordIsDeadLetteredWithItsCoordinatesAndTheStreamGoesOn() {
    String key = "poison-" + Events.newId();
    String next = Events.newId();
    producer.send(CLOUDTRAIL, key, "this is not json".getBytes(StandardCharsets.UTF_8));
    producer.send(
        CLOUDTRAIL, key, Events.load("list-buckets.json", next).getBytes(StandardCharsets.UTF_8));

    awaitDecision(next);
    await().atMost(WAIT).until(() -> !deadLetters.withKey(key).isEmpty());
    TopicWatcher.Record dead = deadLetters.withKey(key).get(0);
    assertThat(dead.value()).isEqualTo("this is not json");
    assertThat(dead.headers())
        .containsEntry("dead-letter-code", "not-json")
        .containsEntry("dead-letter-topic", CLOUDTRAIL)
        .containsKeys("dead-letter-partition", "dead-letter-offset", "dead-letter-reason");
    assertThat(dead.headers().get("dead-letter-reason")).contains("not JSON");
    assertThat(Long.parseLong(dead.headers().get("dead-letter-offset"))).isNotNegative();
  }

  @Test
  void aBadElementOfALogFileIsDeadLetteredAndTheOthersAreDecided() {
    String key = "mixed-" + Events.newId();
    String good = Events.newId();
    String file =
        "{\"Records\":[" + Events.load("list-buckets.json", good) + ",{\"hello\":\"world\"},42]}";
    producer.send(CLOUDTRAIL, key, file.getBytes(StandardCharsets.UTF_8));

    awaitDecision(good);
    await().atMost(WAIT).until(() -> deadLetters.withKey(key).size() == 2);
    List<String> locations =
        deadLetters.withKey(key).stream()
            .map(r -> r.headers().get("dead-letter-location"))
            .toList();
    assertThat(locations).containsExactlyInAnyOrder("Records[1]", "Records[2]");
    assertThat(deadLetters.withKey(key).get(0).headers())
        .containsEntry("dead-letter-code", "invalid-record");
  }

  @Test
  void theTwoAuditStagesOfOneRequestInOneBatchAreOneDecisionOnTheFinalStage() {
    String id = Events.newId();
    String list =
        "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
            + requestReceived(id)
            + ","
            + Events.load("secret-create.json", id).replace("STAGE", "ResponseComplete")
            + "]}";
    producer.send(K8S, list);

    JsonNode record = awaitDecision(id);
    assertThat(record.path("outcome").path("stage").asText()).isEqualTo("ResponseComplete");
    assertThat(record.path("outcome").path("responseCode").asInt()).isEqualTo(201);
    await().during(Duration.ofSeconds(2)).until(() -> decisions.withKey(id).size() == 1);
  }

  @Test
  void stagesOfOneRequestInSeparateRecordsAreDecidedOnceOnTheFinalStage() {
    String id = Events.newId();
    producer.send(K8S, requestReceived(id));
    producer.send(K8S, Events.load("secret-create.json", id).replace("STAGE", "ResponseComplete"));

    JsonNode record = awaitDecision(id);
    assertThat(record.path("outcome").path("stage").asText()).isEqualTo("ResponseComplete");
    await().during(Duration.ofSeconds(2)).until(() -> decisions.withKey(id).size() == 1);
  }

  @Test
  void aRequestReceivedStageWithoutItsFinalStageIsDecidedAfterTheWait() {
    String id = Events.newId();
    producer.send(K8S, requestReceived(id));

    JsonNode record = awaitDecision(id);
    assertThat(record.path("outcome").path("stage").asText()).isEqualTo("RequestReceived");
    assertThat(record.path("outcome").has("succeeded")).isFalse();
  }

  @Test
  void secretValuesNeverReachTheDecisionsOrDeadLetterTopics() {
    String id = Events.newId();
    String event = Events.load("secret-create.json", id).replace("STAGE", "ResponseComplete");
    producer.send(K8S, event);
    String poisonKey = "secret-poison-" + Events.newId();
    // Valid JSON that is no event, carrying a Secret: dead-lettered, without the values.
    String poison = "{\"wrapper\":" + Events.tree(event).get("requestObject") + "}";
    producer.send(K8S, poisonKey, poison.getBytes(StandardCharsets.UTF_8));
    String brokenKey = "secret-broken-" + Events.newId();
    String broken = event.substring(0, event.length() - 40); // truncated: not JSON any more
    producer.send(K8S, brokenKey, broken.getBytes(StandardCharsets.UTF_8));

    String decision = awaitDecision(id).toString();
    await().atMost(WAIT).until(() -> !deadLetters.withKey(poisonKey).isEmpty());
    await().atMost(WAIT).until(() -> !deadLetters.withKey(brokenKey).isEmpty());
    for (String out :
        List.of(
            decision,
            deadLetters.withKey(poisonKey).get(0).value(),
            deadLetters.withKey(brokenKey).get(0).value())) {
      assertThat(out)
          .doesNotContain("aHVudGVyMi1TRUNSRVQtVkFMVUU=")
          .doesNotContain("plain-SECRET-VALUE");
    }
    assertThat(deadLetters.withKey(poisonKey).get(0).value()).contains("db-password");
  }

  private static String requestReceived(String id) {
    return LearnedState.requestReceived(id);
  }
}
