package dev.portcullis.enforce.revert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.FakeRoute53;
import dev.portcullis.testing.FakeRoute53Resource;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.S3MockResource;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dry-run switch in the running service, through Kafka and S3Mock: the seed outage's event gets
 * a revert record listing the exact call (the full lifecycle configuration) and a log line of it,
 * and S3 keeps the configuration. Also: a policy opted in to reverts but not in {@code block} mode
 * ({@code dns-weight-shift} keeps its bundled {@code alert}) reverts nothing.
 */
@QuarkusTest
@TestProfile(RevertDryRunTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class RevertDryRunTest {

  static final String CLOUDTRAIL = "portcullis.revert-dry-test.cloudtrail";
  static final String DECISIONS = "portcullis.revert-dry-test.decisions";
  static final Duration WAIT = Duration.ofSeconds(30);

  /** Dry run; etcd-control-files blocks, dns-weight-shift alerts; both opted in. */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "portcullis.topics.cloudtrail", CLOUDTRAIL,
          "portcullis.topics.k8s-audit", "portcullis.revert-dry-test.k8s-audit",
          "portcullis.topics.decisions", DECISIONS,
          "portcullis.topics.changes", "portcullis.revert-dry-test.changes",
          "quarkus.kafka-streams.application-id", "portcullis-revert-dry-test",
          "portcullis.topics.dead-letter", "portcullis.revert-dry-test.dead-letter",
          "portcullis.policy.enforcement.\"etcd-control-files\"", "block",
          "portcullis.revert.policies", "etcd-control-files,dns-weight-shift",
          "portcullis.revert.dry-run", "true");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(
          new TestResourceEntry(S3MockResource.class),
          new TestResourceEntry(FakeRoute53Resource.class));
    }
  }

  static Producer producer;
  static TopicWatcher decisions;
  static final List<String> logged = new CopyOnWriteArrayList<>();
  static final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          String m = r.getMessage();
          if (r.getParameters() != null && r.getParameters().length > 0) {
            m = String.format(m, r.getParameters());
          }
          logged.add(m);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  static void setUp() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    producer = new Producer(bootstrap);
    decisions = new TopicWatcher(bootstrap, DECISIONS);
    java.util.logging.Logger.getLogger(S3Reverts.class.getName()).addHandler(capture);
  }

  @AfterAll
  static void tearDown() throws Exception {
    java.util.logging.Logger.getLogger(S3Reverts.class.getName()).removeHandler(capture);
    producer.close();
    decisions.close();
  }

  static JsonNode awaitRecord(String key) {
    await().atMost(WAIT).until(() -> !decisions.withKey(key).isEmpty());
    return Events.read(decisions.withKey(key).get(0).value());
  }

  @Test
  void aDryRunShowsTheCallsWithoutMakingThem() {
    String b = RevertStreamTest.bucket();
    JsonNode outage = LifecycleFixtures.config(LifecycleFixtures.OUTAGE_RULE);
    RevertStreamTest.apply(b, outage);
    String id = Events.newId();
    producer.send(
        CLOUDTRAIL, RevertStreamTest.lifecycleEvent(id, b, RevertStreamTest.now(), outage));

    JsonNode record = awaitRecord(id + "/revert/etcd-control-files");
    JsonNode d = record.path("decisions").get(0);
    assertThat(d.path("action").asText()).isEqualTo("alert");
    assertThat(d.path("details").path("revert").asText()).isEqualTo("dry-run");
    assertThat(d.path("details").path("dryRun").asBoolean()).isTrue();
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "Dry run: Portcullis would have deleted the lifecycle configuration of bucket "
                + b
                + " that terraform-apply set, whose only rule expire-old-backups was the offending"
                + " one (the configuration it replaced is not known)");
    JsonNode call = d.path("details").path("calls").get(0);
    assertThat(call.path("operation").asText()).isEqualTo("DeleteBucketLifecycle");
    assertThat(call.path("bucket").asText()).isEqualTo(b);
    // Nothing was changed in S3.
    assertThat(RevertStreamTest.ruleIds(b)).containsExactly("expire-old-backups");
    // The log says which call it did not make.
    await()
        .atMost(WAIT)
        .until(
            () ->
                logged.stream()
                    .anyMatch(
                        m ->
                            m.startsWith("Revert dry run, not called: ")
                                && m.contains("operation=DeleteBucketLifecycle")
                                && m.contains("bucket=" + b)));
  }

  @Test
  void aDryRunOfAPutShowsTheWholeConfiguration() {
    String b = RevertStreamTest.bucket();
    JsonNode set =
        LifecycleFixtures.config(LifecycleFixtures.UPLOADS_RULE, LifecycleFixtures.OUTAGE_RULE);
    RevertStreamTest.apply(b, set);
    String id = Events.newId();
    producer.send(
        CLOUDTRAIL,
        RevertStreamTest.byPerson(
            RevertStreamTest.lifecycleEvent(id, b, RevertStreamTest.now(), set)));

    JsonNode call =
        awaitRecord(id + "/revert/etcd-control-files")
            .path("decisions")
            .get(0)
            .path("details")
            .path("calls")
            .get(0);
    assertThat(call.path("operation").asText()).isEqualTo("PutBucketLifecycleConfiguration");
    assertThat(call.path("lifecycleConfiguration").toString())
        .isEqualTo(
            "{\"Rules\":[{\"ID\":\"abort-uploads\",\"Status\":\"Enabled\",\"Filter\":{},"
                + "\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":7}}]}");
    assertThat(RevertStreamTest.ruleIds(b)).containsExactly("abort-uploads", "expire-old-backups");
    await()
        .atMost(WAIT)
        .until(
            () ->
                logged.stream()
                    .anyMatch(
                        m ->
                            m.contains("operation=PutBucketLifecycleConfiguration")
                                && m.contains("bucket=" + b)
                                && m.contains("\"ID\":\"abort-uploads\"")));
  }

  @Test
  void aPolicyNotInBlockModeRevertsNothing() {
    FakeRoute53 fake = FakeRoute53Resource.fake();
    String zone = "Z0813377EXAMPLEDRY";
    fake.createZone(zone, "revert.example.com");
    fake.seed(
        zone,
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "blue", 100),
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "green", 0));
    Instant t = RevertStreamTest.now();
    String setUp = Events.newId();
    producer.send(
        CLOUDTRAIL, RevertStreamTest.weightEvent(setUp, t.minusSeconds(600), zone, 100, 0));
    awaitRecord(setUp);
    fake.seed(
        zone,
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "blue", 0),
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "green", 100));
    int changes = fake.calls("ChangeResourceRecordSets");
    String id = Events.newId();
    producer.send(CLOUDTRAIL, RevertStreamTest.weightEvent(id, t, zone, 0, 100));

    JsonNode decision = awaitRecord(id).path("decisions").get(0);
    assertThat(decision.path("policy").asText()).isEqualTo("dns-weight-shift");
    assertThat(decision.path("action").asText()).isEqualTo("alert");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                decisions.withKey(id + "/revert/dns-weight-shift").isEmpty()
                    && fake.calls("ChangeResourceRecordSets") == changes);
  }
}
