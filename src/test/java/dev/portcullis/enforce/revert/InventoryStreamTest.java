package dev.portcullis.enforce.revert;

import static dev.portcullis.enforce.revert.LifecycleFixtures.UPLOADS_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.inventory.Inventory;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.FakeRoute53;
import dev.portcullis.testing.FakeRoute53Resource;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * The "done when" for the inventory, in the running service with real parts (Kafka, S3Mock,
 * the Route53 fake; the profile of {@link RevertStreamTest}, so both policies block and revert):
 * started on an account it has never seen, Portcullis takes the inventory and then judges changes
 * to buckets and records the stream never mentioned with what the inventory read.
 */
@QuarkusTest
@TestProfile(RevertStreamTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class InventoryStreamTest {

  static final String CLOUDTRAIL = RevertStreamTest.CLOUDTRAIL;

  @Inject Inventory inventory;

  static Producer producer;
  static TopicWatcher decisions;

  @BeforeAll
  static void setUp() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    producer = new Producer(bootstrap);
    decisions = new TopicWatcher(bootstrap, RevertStreamTest.DECISIONS);
  }

  @AfterAll
  static void tearDown() throws Exception {
    producer.close();
    decisions.close();
  }

  static JsonNode awaitRecord(String key) {
    await().atMost(RevertStreamTest.WAIT).until(() -> !decisions.withKey(key).isEmpty());
    return Events.read(decisions.withKey(key).get(0).value());
  }

  /**
   * Takes an inventory and returns once the test events' clock (whole seconds, as CloudTrail writes
   * them) has passed the time the inventory's readings ended: a change is always later than the
   * reading it changes, as in an account where the reading would otherwise already show it.
   */
  Inventory.Summary takeInventory() throws Exception {
    Inventory.Summary s = inventory.run();
    Instant read = Instant.now();
    await()
        .atMost(java.time.Duration.ofSeconds(3))
        .until(() -> RevertStreamTest.now().isAfter(read));
    return s;
  }

  /** The rule that expires every object of the bucket after 30 days. */
  static final String WHOLE_BUCKET_RULE =
      "{\"ID\":\"expire-everything\",\"Filter\":\"\",\"Status\":\"Enabled\","
          + "\"Expiration\":{\"Days\":30}}";

  @Test
  void aWholeBucketExpirationOnABucketTheStreamNeverMentionedIsBlockedAndPutBack()
      throws Exception {
    // An account Portcullis has never seen: a bucket holding etcd-manager's control file, with a
    // harmless lifecycle configuration set long before Portcullis ran.
    String b = RevertStreamTest.bucket();
    RevertStreamTest.apply(b, config(UPLOADS_RULE));

    Inventory.Summary s = takeInventory();
    assertThat(s.buckets()).isGreaterThanOrEqualTo(1);
    assertThat(s.bucketsWithProtectedObjects()).isGreaterThanOrEqualTo(1);
    assertThat(s.s3Calls()).isGreaterThanOrEqualTo(3L * s.buckets());

    // The first event about the bucket: a whole-bucket expiration.
    JsonNode whole = config(WHOLE_BUCKET_RULE);
    RevertStreamTest.apply(b, whole);
    String id = Events.newId();
    producer.send(
        CLOUDTRAIL, RevertStreamTest.lifecycleEvent(id, b, RevertStreamTest.now(), whole));

    JsonNode decision = awaitRecord(id).path("decisions").get(0);
    assertThat(decision.path("policy").asText()).isEqualTo(RevertStreamTest.ETCD);
    assertThat(decision.path("action").asText()).isEqualTo("block");
    assertThat(decision.path("summary").asText())
        .contains("rule expire-everything (whole bucket) on bucket " + b)
        .contains(RevertStreamTest.CONTROL);

    // What it put back is the configuration only the inventory could know.
    JsonNode revert =
        awaitRecord(RevertStreamTest.revertId(id, RevertStreamTest.ETCD)).path("decisions").get(0);
    assertThat(revert.path("details").path("revert").asText()).isEqualTo("done");
    assertThat(revert.path("details").path("previousEventId").asText()).startsWith("inventory:");
    assertThat(RevertStreamTest.ruleIds(b)).containsExactly("abort-uploads");
  }

  @Test
  void deletionsAndSuspendedVersioningOnABucketOnlyTheInventoryKnowsAreFlagged() throws Exception {
    String b = RevertStreamTest.bucket();
    RevertStreamTest.s3.putBucketVersioning(
        x -> x.bucket(b).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    RevertStreamTest.s3.putObject(
        x -> x.bucket(b).key("logs/app.log"), RequestBody.fromString("log"));
    takeInventory();

    // The console deletes through DeleteObjects, whose keys CloudTrail does not record: only a
    // bucket known to hold control files makes it worth a page, and nothing but the inventory
    // knows this one.
    String del = Events.newId();
    producer.send(CLOUDTRAIL, s3Event(del, b, "DeleteObjects", "\"delete\":\"\""));
    JsonNode d = awaitRecord(del).path("decisions").get(0);
    assertThat(d.path("policy").asText()).isEqualTo(RevertStreamTest.ETCD);
    assertThat(d.path("severity").asText()).isEqualTo("high");
    assertThat(d.path("summary").asText())
        .contains("deleted objects from bucket " + b)
        .contains("the inventory found it there");

    String suspend = Events.newId();
    producer.send(
        CLOUDTRAIL,
        s3Event(
            suspend,
            b,
            "PutBucketVersioning",
            "\"versioning\":\"\",\"VersioningConfiguration\":{\"Status\":\"Suspended\"}"));
    JsonNode v = awaitRecord(suspend).path("decisions").get(0);
    assertThat(v.path("summary").asText())
        .contains("suspended versioning on bucket " + b)
        .contains("the inventory found it there");

    // A bucket the inventory read and found without control files: a whole-bucket expiration there
    // is known to reach none, so it is not reported as unknown.
    String plain = "inventory-plain-" + Events.newId().substring(0, 8);
    RevertStreamTest.s3.createBucket(x -> x.bucket(plain));
    RevertStreamTest.s3.putObject(
        x -> x.bucket(plain).key("logs/app.log"), RequestBody.fromString("log"));
    takeInventory();
    JsonNode whole = config(WHOLE_BUCKET_RULE);
    String quiet = Events.newId();
    producer.send(
        CLOUDTRAIL, RevertStreamTest.lifecycleEvent(quiet, plain, RevertStreamTest.now(), whole));
    assertThat(awaitRecord(quiet).path("decisions")).isEmpty();
  }

  @Test
  void aWeightShiftOfARecordTheStreamNeverMentionedIsJudgedAgainstTheInventoriedWeights()
      throws Exception {
    FakeRoute53 fake = FakeRoute53Resource.fake();
    String zone = "Z0INVENTORY" + Events.newId().substring(0, 6).toUpperCase();
    fake.createZone(zone, "revert.example.com");
    fake.seed(
        zone,
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "blue", 100),
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "green", 0));
    Inventory.Summary s = takeInventory();
    assertThat(s.zones()).isGreaterThanOrEqualTo(1);
    assertThat(s.weightedGroups()).isGreaterThanOrEqualTo(1);
    assertThat(fake.calls("ListHostedZones")).isGreaterThanOrEqualTo(1);

    // alice moves every bit of traffic to green; a lookup now would already show the new weights.
    fake.seed(
        zone,
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "blue", 0),
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "green", 100));
    String id = Events.newId();
    producer.send(
        CLOUDTRAIL,
        RevertStreamTest.weightEvent(id, RevertStreamTest.now().plusSeconds(1), zone, 0, 100));

    JsonNode decision = awaitRecord(id).path("decisions").get(0);
    assertThat(decision.path("policy").asText()).isEqualTo(RevertStreamTest.DNS);
    assertThat(decision.path("action").asText()).isEqualTo("block");
    assertThat(decision.path("summary").asText()).contains("moved 100 points of traffic");
    JsonNode revert =
        awaitRecord(RevertStreamTest.revertId(id, RevertStreamTest.DNS)).path("decisions").get(0);
    assertThat(revert.path("details").path("revert").asText()).isEqualTo("done");
    Map<String, Long> weights = new TreeMap<>();
    fake.recordSets(zone).stream()
        .filter(r -> r.weight() != null)
        .forEach(r -> weights.put(r.setIdentifier(), r.weight()));
    assertThat(weights).isEqualTo(Map.of("blue", 100L, "green", 0L));
  }

  /** An S3 management event by bob with the CLI on a bucket, now. */
  static String s3Event(String id, String bucket, String name, String params) {
    Instant at = RevertStreamTest.now().plusSeconds(1);
    return "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":"
        + "\"arn:aws:iam::111122223333:user/bob\",\"accountId\":\"111122223333\","
        + "\"userName\":\"bob\"},\"eventTime\":\""
        + at
        + "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\""
        + name
        + "\",\"awsRegion\":\"eu-west-1\",\"userAgent\":\"aws-cli/2.22.4\",\"requestParameters\":"
        + "{\"bucketName\":\""
        + bucket
        + "\",\"Host\":\""
        + bucket
        + ".s3.eu-west-1.amazonaws.com\","
        + params
        + "},\"responseElements\":null,\"eventID\":\""
        + id
        + "\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"recipientAccountId\":"
        + "\"111122223333\"}";
  }
}
