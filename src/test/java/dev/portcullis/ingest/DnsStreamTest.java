package dev.portcullis.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.FakeRoute53;
import dev.portcullis.testing.FakeRoute53Resource;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Route53 policies on the stream, through a real Kafka broker: overdue DNS mirrors written as
 * decision records of their own (decided by event time, and by the wall clock on a quiet stream),
 * mirrored changes left alone, and a weight shift judged with the real Route53 lookups bean against
 * {@link FakeRoute53}. Runs on topics of its own, so other tests' events cannot move its event-time
 * watermark.
 */
@QuarkusTest
@TestProfile(DnsStreamTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class DnsStreamTest {

  static final String CLOUDTRAIL = "portcullis.dns-test.cloudtrail";
  static final String DECISIONS = "portcullis.dns-test.decisions";
  static final String BLUE = "Z0813377EXAMPLEBLU";
  static final String BAL = "Z0813377EXAMPLEBAL";
  static final Duration WAIT = Duration.ofSeconds(30);

  /** Own topics, one zone pair with a 5 s window and no lateness, quick checks, Route53 on. */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "portcullis.topics.cloudtrail",
          CLOUDTRAIL,
          "portcullis.topics.k8s-audit",
          "portcullis.dns-test.k8s-audit",
          "portcullis.topics.decisions",
          DECISIONS,
          "portcullis.topics.changes",
          "portcullis.dns-test.changes",
          "quarkus.kafka-streams.application-id",
          "portcullis-dns-test",
          "portcullis.topics.dead-letter",
          "portcullis.dns-test.dead-letter",
          "portcullis.policy.parameters.\"dns-zone-split-brain\"",
          "{\"pairs\":[{\"a\":{\"zoneId\":\""
              + BLUE
              + "\",\"apex\":\"blue.k8s.example.com\"},\"b\":{\"zoneId\":\""
              + BAL
              + "\",\"apex\":\"example.com\"}}],\"windowSeconds\":5,"
              + "\"allowedLatenessSeconds\":0}",
          "portcullis.dns.split-brain.check-every",
          "PT0.5S");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(FakeRoute53Resource.class));
    }
  }

  static Producer producer;
  static TopicWatcher decisions;

  /**
   * Each test's events start two minutes after the last test's (which span at most a minute), so an
   * earlier test's events never move this test's watermark; all of them lie in the past, since an
   * event time ahead of the clock only counts up to five minutes ahead.
   */
  static Instant slot = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);

  @BeforeAll
  static void watch() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    producer = new Producer(bootstrap);
    decisions = new TopicWatcher(bootstrap, DECISIONS);
  }

  @AfterAll
  static void close() throws Exception {
    producer.close();
    decisions.close();
  }

  static synchronized Instant nextSlot() {
    slot = slot.plus(Duration.ofMinutes(2));
    return slot;
  }

  static String change(String id, Instant time, String zone, String action, String name) {
    return "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
        + "\"principalId\":\"AIDA4EXAMPLEALICE0001\",\"arn\":\"arn:aws:iam::111122223333:user/alice\","
        + "\"accountId\":\"111122223333\",\"userName\":\"alice\"},\"eventTime\":\""
        + time
        + "\",\"eventSource\":\"route53.amazonaws.com\",\"eventName\":\"ChangeResourceRecordSets\","
        + "\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.23\","
        + "\"userAgent\":\"aws-cli/2.15.30\",\"requestParameters\":{\"hostedZoneId\":\""
        + zone
        + "\",\"changeBatch\":{\"changes\":[{\"action\":\""
        + action
        + "\",\"resourceRecordSet\":{\"name\":\""
        + name
        + "\",\"type\":\"A\",\"tTL\":60,\"resourceRecords\":[{\"value\":\"192.0.2.10\"}]}}]}},"
        + "\"responseElements\":{\"changeInfo\":{\"id\":\"/change/C0EXAMPLE\",\"status\":\"PENDING\","
        + "\"submittedAt\":\"Jan 1, 2030 10:00:00 AM\"}},\"requestID\":\""
        + Events.newId()
        + "\",\"eventID\":\""
        + id
        + "\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"managementEvent\":true,"
        + "\"recipientAccountId\":\"111122223333\"}";
  }

  /**
   * A read of the blue zone's records. Event time is kept per partition of the changes topic, so
   * what moves it for a zone pair is an event of the same scope: a read of one of its zones.
   */
  static String listRecords(String id, Instant time) {
    return "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
        + "\"arn\":\"arn:aws:iam::111122223333:user/alice\",\"accountId\":\"111122223333\"},"
        + "\"eventTime\":\""
        + time
        + "\",\"eventSource\":\"route53.amazonaws.com\",\"eventName\":\"ListResourceRecordSets\","
        + "\"awsRegion\":\"us-east-1\",\"requestParameters\":{\"hostedZoneId\":\""
        + BLUE
        + "\"},\"responseElements\":null,\"eventID\":\""
        + id
        + "\",\"readOnly\":true,\"eventType\":\"AwsApiCall\","
        + "\"recipientAccountId\":\"111122223333\"}";
  }

  static String logFile(String... records) {
    return "{\"Records\":[" + String.join(",", records) + "]}";
  }

  static JsonNode awaitRecord(String key) {
    await().atMost(WAIT).until(() -> !decisions.withKey(key).isEmpty());
    return Events.read(decisions.withKey(key).get(0).value());
  }

  @Test
  void anUnmirroredChangeIsDecidedAsItsOwnRecordOnceEventTimePassesTheWindow() {
    Instant t = nextSlot();
    String unmirrored = Events.newId();
    String mirroredA = Events.newId();
    String mirroredB = Events.newId();
    String later = Events.newId();
    // One CloudTrail log file: api is created in both zones 2 s apart (mirrored), grpc only in the
    // blue zone; a read of the blue zone a minute later moves event time past both windows.
    producer.send(
        CLOUDTRAIL,
        logFile(
            change(mirroredA, t, BLUE, "CREATE", "api.blue.k8s.example.com"),
            change(mirroredB, t.plusSeconds(2), BAL, "UPSERT", "api.example.com"),
            change(unmirrored, t.plusSeconds(3), BLUE, "CREATE", "grpc.blue.k8s.example.com"),
            listRecords(later, t.plusSeconds(60))));

    JsonNode overdue = awaitRecord(unmirrored + "/dns-zone-split-brain");
    assertThat(overdue.path("source").asText()).isEqualTo("portcullis");
    assertThat(overdue.path("eventTime").asText()).isEqualTo(t.plusSeconds(3).toString());
    assertThat(overdue.path("action").asText()).isEqualTo("ChangeResourceRecordSets");
    assertThat(overdue.path("actor").path("principal").asText())
        .isEqualTo("arn:aws:iam::111122223333:user/alice");
    JsonNode d = overdue.path("decisions").get(0);
    assertThat(d.path("policy").asText()).isEqualTo("dns-zone-split-brain");
    assertThat(d.path("action").asText()).isEqualTo("alert");
    assertThat(d.path("summary").asText())
        .contains(
            "created grpc.blue.k8s.example.com A in zone " + BLUE,
            "grpc.example.com A was not created in its pair zone " + BAL,
            "within 5 s");
    assertThat(d.path("details").path("decidedBy").asText()).isEqualTo("event time");
    assertThat(d.path("details").path("eventId").asText()).isEqualTo(unmirrored);

    // The original events got their own (empty) decision records as usual; the mirrored pair was
    // judged in the same pass as the overdue one and got no overdue record.
    assertThat(awaitRecord(unmirrored).path("decisions")).isEmpty();
    // (It would have been written with the overdue one: the watcher reads every partition.)
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                decisions.withKey(mirroredA + "/dns-zone-split-brain").isEmpty()
                    && decisions.withKey(mirroredB + "/dns-zone-split-brain").isEmpty());
  }

  @Test
  void onAQuietStreamTheWallClockDecides() {
    Instant t = nextSlot();
    String id = Events.newId();
    producer.send(CLOUDTRAIL, change(id, t, BAL, "DELETE", "www.example.com"));

    // Nothing moves event time on: after window + lateness (5 s) of wall time it is decided.
    JsonNode overdue = awaitRecord(id + "/dns-zone-split-brain");
    JsonNode d = overdue.path("decisions").get(0);
    assertThat(d.path("summary").asText())
        .contains("deleted www.example.com A in zone " + BAL, "www.blue.k8s.example.com A");
    assertThat(d.path("details").path("decidedBy").asText()).isEqualTo("wall clock");
    // It waited the window on the wall clock after the change was decided on arrival.
    Instant arrivedDecided = Instant.parse(awaitRecord(id).path("decidedAt").asText());
    Instant overdueDecided = Instant.parse(overdue.path("decidedAt").asText());
    assertThat(Duration.between(arrivedDecided, overdueDecided))
        .isGreaterThan(Duration.ofMillis(4500));
  }

  @Test
  void aWeightShiftOfAnUnseenRecordIsJudgedWithTheRoute53Lookup() {
    FakeRoute53 fake = FakeRoute53Resource.fake();
    fake.createZone("Z0813377EXAMPLEWGT", "weighted.example.com");
    // Route53 after the change: blue 100 as before, and the canary the batch created with 200.
    fake.seed(
        "Z0813377EXAMPLEWGT",
        FakeRoute53.RecordSet.weightedAlias("api.weighted.example.com", "A", "blue", 100),
        FakeRoute53.RecordSet.weightedAlias("api.weighted.example.com", "A", "canary", 200));
    int calls = fake.calls("ListResourceRecordSets");
    String id = Events.newId();
    String event =
        change(id, nextSlot(), "Z0813377EXAMPLEWGT", "CREATE", "api.weighted.example.com")
            .replace(
                "\"type\":\"A\",\"tTL\":60,\"resourceRecords\":[{\"value\":\"192.0.2.10\"}]",
                "\"type\":\"A\",\"setIdentifier\":\"canary\",\"weight\":200,\"aliasTarget\":"
                    + "{\"hostedZoneId\":\"Z35SXDOTRQ7X7K\",\"dNSName\":"
                    + "\"canary-lb-1234567890.us-east-1.elb.amazonaws.com\","
                    + "\"evaluateTargetHealth\":true}");
    producer.send(CLOUDTRAIL, event);

    JsonNode d = awaitRecord(id).path("decisions").get(0);
    assertThat(d.path("policy").asText()).isEqualTo("dns-weight-shift");
    assertThat(d.path("summary").asText())
        .contains(
            "moved 66.7 points of traffic of api.weighted.example.com A in zone Z0813377EXAMPLEWGT",
            "from blue to canary");
    assertThat(d.path("details").path("basis").asText()).isEqualTo("lookup");
    assertThat(fake.calls("ListResourceRecordSets")).isGreaterThan(calls);
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .containsPattern(
            "portcullis_lookups_total\\{[^}]*family=\"route53\"[^}]*result=\"answered\"[^}]*\\} [1-9]");
  }
}
