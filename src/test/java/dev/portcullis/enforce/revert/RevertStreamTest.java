package dev.portcullis.enforce.revert;

import static dev.portcullis.enforce.revert.LifecycleFixtures.LOGS_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.OUTAGE_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.UPLOADS_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.config;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.ops.MonitoredMetrics;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.FakeRoute53;
import dev.portcullis.testing.FakeRoute53Resource;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.S3MockResource;
import dev.portcullis.testing.S3MockServer;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;

/**
 * Automatic reverts in the running service, through real parts: CloudTrail records produced to a
 * real Kafka broker, judged by the bundled policies (put into {@code block} mode by the operator
 * override), reverted against a real S3 API server (S3Mock) through the AWS SDK v2 client and
 * against {@link FakeRoute53}, each revert written as its own record to the decisions topic and
 * routed by alerting. Runs on topics of its own.
 */
@QuarkusTest
@TestProfile(RevertStreamTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class RevertStreamTest {

  static final Logger LOG = Logger.getLogger(RevertStreamTest.class);
  static final String CLOUDTRAIL = "portcullis.revert-test.cloudtrail";
  static final String DECISIONS = "portcullis.revert-test.decisions";
  static final String ALERTS = "portcullis.alerts";
  static final String ETCD = "etcd-control-files";
  static final String DNS = "dns-weight-shift";
  static final String CONTROL = "backups/etcd/main/control/etcd-cluster-created";
  static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * Own topics; both policies blocking and opted in to reverts; S3Mock and the Route53 fake; the
   * inventory on, taken only when a test asks ({@link InventoryStreamTest}).
   */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.ofEntries(
          Map.entry("portcullis.topics.cloudtrail", CLOUDTRAIL),
          Map.entry("portcullis.topics.k8s-audit", "portcullis.revert-test.k8s-audit"),
          Map.entry("portcullis.topics.decisions", DECISIONS),
          Map.entry("portcullis.topics.changes", "portcullis.revert-test.changes"),
          Map.entry("quarkus.kafka-streams.application-id", "portcullis-revert-test"),
          Map.entry("portcullis.topics.dead-letter", "portcullis.revert-test.dead-letter"),
          Map.entry("portcullis.policy.enforcement.\"" + ETCD + "\"", "block"),
          Map.entry("portcullis.policy.enforcement.\"" + DNS + "\"", "block"),
          Map.entry("portcullis.revert.policies", ETCD + "," + DNS),
          Map.entry("portcullis.inventory.enabled", "true"),
          Map.entry("portcullis.inventory.initial-delay", "PT1H"),
          Map.entry("portcullis.inventory.s3-calls-per-second", "1000"),
          Map.entry("portcullis.inventory.route53-calls-per-second", "1000"));
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(
          new TestResourceEntry(S3MockResource.class),
          new TestResourceEntry(FakeRoute53Resource.class));
    }
  }

  @Inject Reverts reverts;
  @Inject EventDecoder decoder;
  @Inject ChangeEvaluator evaluator;

  /** A client of the shared S3Mock (also used by {@link RevertDryRunTest}); lives with the JVM. */
  static final S3Client s3 =
      S3Client.builder()
          .region(Region.US_EAST_1)
          .endpointOverride(S3MockServer.shared().endpoint())
          .forcePathStyle(true)
          .credentialsProvider(
              StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
          .httpClientBuilder(UrlConnectionHttpClient.builder())
          .build();

  static Producer producer;
  static TopicWatcher decisions;
  static TopicWatcher alerts;

  @BeforeAll
  static void setUp() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    producer = new Producer(bootstrap);
    decisions = new TopicWatcher(bootstrap, DECISIONS);
    alerts = new TopicWatcher(bootstrap, ALERTS);
  }

  @AfterAll
  static void tearDown() throws Exception {
    producer.close();
    decisions.close();
    alerts.close();
  }

  // ---- S3 and events ----

  static String bucket() {
    String b = "revert-stream-" + Events.newId().substring(0, 8);
    s3.createBucket(x -> x.bucket(b));
    s3.putObject(x -> x.bucket(b).key(CONTROL), RequestBody.fromString("created"));
    return b;
  }

  static void apply(String bucket, JsonNode config) {
    LifecycleFixtures.apply(s3, bucket, config);
  }

  static List<String> ruleIds(String bucket) {
    return LifecycleFixtures.ruleIds(s3, bucket);
  }

  /**
   * The seed outage's record ({@code events/outage-lifecycle.json}, Terraform's role) for a bucket,
   * at a time, setting a configuration.
   */
  static String lifecycleEvent(String id, String bucket, Instant at, JsonNode config) {
    ObjectNode e = Events.tree(Events.load("outage-lifecycle.json", id));
    e.put("eventTime", at.toString());
    ObjectNode req = (ObjectNode) e.get("requestParameters");
    req.put("bucketName", bucket);
    req.put("Host", bucket + ".s3.eu-west-1.amazonaws.com");
    req.set("LifecycleConfiguration", config);
    ((ObjectNode) e.get("resources").get(0)).put("ARN", "arn:aws:s3:::" + bucket);
    return e.toString();
  }

  /** The same change made by a person with the CLI (no IaC tool). */
  static String byPerson(String event) {
    ObjectNode e = Events.tree(event);
    e.set(
        "userIdentity",
        Events.read(
            "{\"type\":\"IAMUser\",\"principalId\":\"AIDA4EXAMPLEBOB00001\",\"arn\":"
                + "\"arn:aws:iam::111122223333:user/bob\",\"accountId\":\"111122223333\","
                + "\"userName\":\"bob\"}"));
    e.put("userAgent", "aws-cli/2.22.4 md/command#s3api.put-bucket-lifecycle-configuration");
    return e.toString();
  }

  static JsonNode awaitRecord(String key) {
    await().atMost(WAIT).until(() -> !decisions.withKey(key).isEmpty());
    return Events.read(decisions.withKey(key).get(0).value());
  }

  static String revertId(String eventId, String policy) {
    return eventId + "/revert/" + policy;
  }

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  // ---- the "Done when" ----

  @Test
  void theSeedOutagesLifecycleRuleIsTakenBackWithinSeconds() {
    String b = bucket();
    Instant t = now();
    // Portcullis sees the bucket's earlier configuration being set.
    JsonNode earlier = config(UPLOADS_RULE);
    apply(b, earlier);
    String first = Events.newId();
    producer.send(CLOUDTRAIL, lifecycleEvent(first, b, t.minusSeconds(3600), earlier));
    assertThat(awaitRecord(first).path("decisions")).isEmpty();

    // The outage: Terraform sets the 30-day expiration on backups/.
    JsonNode outage = config(OUTAGE_RULE);
    apply(b, outage);
    String id = Events.newId();
    long sent = System.nanoTime();
    producer.send(CLOUDTRAIL, lifecycleEvent(id, b, t, outage));

    await().atMost(WAIT).until(() -> ruleIds(b).equals(List.of("abort-uploads")));
    long tookMs = (System.nanoTime() - sent) / 1_000_000;
    LOG.infof(
        "The outage's lifecycle rule was taken back %d ms after its event was produced", tookMs);

    JsonNode decision = awaitRecord(id).path("decisions").get(0);
    assertThat(decision.path("policy").asText()).isEqualTo(ETCD);
    assertThat(decision.path("action").asText()).isEqualTo("block");

    JsonNode revert = awaitRecord(revertId(id, ETCD));
    assertThat(revert.path("source").asText()).isEqualTo(Reverts.SOURCE);
    assertThat(revert.path("eventTime").asText()).isEqualTo(t.toString());
    assertThat(revert.path("target").path("bucket").asText()).isEqualTo(b);
    JsonNode d = revert.path("decisions").get(0);
    assertThat(d.path("policy").asText()).isEqualTo(ETCD);
    assertThat(d.path("action").asText()).isEqualTo("alert");
    assertThat(d.path("severity").asText()).isEqualTo(decision.path("severity").asText());
    assertThat(d.path("rule").asText()).isEqualTo(Reverts.RULE);
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "Portcullis put back the lifecycle configuration bucket "
                + b
                + " had before terraform-apply's change (rules abort-uploads), taking back rule"
                + " expire-old-backups");
    JsonNode details = d.path("details");
    assertThat(details.path("revert").asText()).isEqualTo("done");
    assertThat(details.path("revertOf").asText()).isEqualTo(id);
    assertThat(details.path("previousEventId").asText()).isEqualTo(first);
    assertThat(details.path("finding").asText()).isEqualTo(decision.path("summary").asText());
    assertThat(details.path("alertScope").asText()).isEqualTo(Reverts.SCOPE_REVERT);
    JsonNode call = details.path("calls").get(0);
    assertThat(call.path("operation").asText()).isEqualTo("PutBucketLifecycleConfiguration");
    assertThat(call.path("lifecycleConfiguration").path("Rules").get(0).path("ID").asText())
        .isEqualTo("abort-uploads");

    // It reaches alerting as a problem of its own, apart from the finding it follows.
    await()
        .atMost(WAIT)
        .until(() -> !pending(revertId(id, ETCD)).isEmpty() && !pending(id).isEmpty());
    assertThat(pending(revertId(id, ETCD)).get(0).key()).isNotEqualTo(pending(id).get(0).key());

    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .containsPattern(
            "portcullis_reverts_total\\{[^}]*policy=\"etcd-control-files\"[^}]*result=\"done\"[^}]*\\}"
                + " [1-9]");
    // What deploy/monitoring queries about lookups, reverts and the inventory is exported here.
    MonitoredMetrics.assertExported(metrics, MonitoredMetrics.Feature.CLOUD_ACCESS.metrics);
  }

  /** Pending alerts (on the alerts topic) made from the record with this event id. */
  static List<TopicWatcher.Record> pending(String eventId) {
    return alerts.matching(
        r -> r.value() != null && r.value().contains("\"eventId\":\"" + eventId + "\""));
  }

  @Test
  void withoutAPreviousConfigurationOnlyTheOffendingRuleIsRemoved() {
    String b = bucket();
    JsonNode set = config(UPLOADS_RULE, OUTAGE_RULE, LOGS_RULE);
    apply(b, set);
    String id = Events.newId();
    producer.send(CLOUDTRAIL, byPerson(lifecycleEvent(id, b, now(), set)));

    JsonNode d = awaitRecord(revertId(id, ETCD)).path("decisions").get(0);
    assertThat(d.path("details").path("revert").asText()).isEqualTo("done");
    assertThat(ruleIds(b)).containsExactly("abort-uploads", "expire-logs");
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "Portcullis removed lifecycle rule expire-old-backups from bucket "
                + b
                + " (set by bob; the configuration it replaced is not known), keeping rules"
                + " abort-uploads, expire-logs");
  }

  @Test
  void aDeletedControlFileComesBackFromItsPreviousVersion() {
    String b = "revert-stream-" + Events.newId().substring(0, 8);
    s3.createBucket(x -> x.bucket(b));
    s3.putBucketVersioning(
        x -> x.bucket(b).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    s3.putObject(x -> x.bucket(b).key(CONTROL), RequestBody.fromString("created"));
    s3.deleteObject(x -> x.bucket(b).key(CONTROL));
    DeleteMarkerEntry marker =
        s3.listObjectVersions(x -> x.bucket(b).prefix(CONTROL)).deleteMarkers().get(0);
    String id = Events.newId();
    producer.send(CLOUDTRAIL, deleteObjectEvent(id, b, now(), marker.versionId()));

    JsonNode d = awaitRecord(revertId(id, ETCD)).path("decisions").get(0);
    assertThat(d.path("details").path("revert").asText()).isEqualTo("done");
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "Portcullis restored "
                + CONTROL
                + " in bucket "
                + b
                + " after alice@example.com deleted it, by removing the delete marker so the"
                + " previous version is current again");
    assertThat(s3.getObjectAsBytes(x -> x.bucket(b).key(CONTROL)).asUtf8String())
        .isEqualTo("created");
  }

  static String deleteObjectEvent(String id, String bucket, Instant at, String markerVersion) {
    return "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":"
        + "\"AROA4EXAMPLEOPS00001:alice@example.com\",\"arn\":\"arn:aws:sts::111122223333:"
        + "assumed-role/AWSReservedSSO_Ops_0123456789abcdef/alice@example.com\",\"accountId\":"
        + "\"111122223333\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"arn\":"
        + "\"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
        + "AWSReservedSSO_Ops_0123456789abcdef\",\"userName\":\"AWSReservedSSO_Ops_0123456789abcdef\""
        + "}}},\"eventTime\":\""
        + at
        + "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"DeleteObject\",\"awsRegion\":"
        + "\"eu-west-1\",\"sourceIPAddress\":\"203.0.113.24\",\"userAgent\":\"aws-cli/2.22.4"
        + " md/command#s3.rm\",\"requestParameters\":{\"bucketName\":\""
        + bucket
        + "\",\"Host\":\""
        + bucket
        + ".s3.eu-west-1.amazonaws.com\",\"key\":\""
        + CONTROL
        + "\"},\"responseElements\":{\"x-amz-delete-marker\":\"true\",\"x-amz-version-id\":\""
        + markerVersion
        + "\"},\"requestID\":\"1345024B428345E6\",\"eventID\":\""
        + id
        + "\",\"readOnly\":false,\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":"
        + "\"arn:aws:s3:::"
        + bucket
        + "/"
        + CONTROL
        + "\"}],\"eventType\":\"AwsApiCall\",\"managementEvent\":false,"
        + "\"recipientAccountId\":\"111122223333\",\"eventCategory\":\"Data\"}";
  }

  @Test
  void aWeightShiftIsPutBackInOneChangeBatch() {
    FakeRoute53 fake = FakeRoute53Resource.fake();
    String zone = "Z0813377EXAMPLEREV";
    fake.createZone(zone, "revert.example.com");
    fake.seed(
        zone,
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "blue", 100),
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "green", 0));
    Instant t = now();
    // Portcullis sees the weights being set (and lists the whole record once). It never saw the
    // weights before this batch, so the all-to-blue result is reported as unknown: an alert that
    // never blocks and is never reverted.
    String setUp = Events.newId();
    producer.send(CLOUDTRAIL, weightEvent(setUp, t.minusSeconds(600), zone, 100, 0));
    JsonNode first = awaitRecord(setUp).path("decisions");
    assertThat(first).hasSize(1);
    assertThat(first.get(0).path("action").asText()).isEqualTo("alert");
    assertThat(first.get(0).path("rule").asText())
        .isEqualTo("All traffic of a weighted record to one member, weights before unknown");

    // alice moves all traffic to green in one step.
    fake.seed(
        zone,
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "blue", 0),
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "green", 100));
    int changes = fake.calls("ChangeResourceRecordSets");
    String id = Events.newId();
    producer.send(CLOUDTRAIL, weightEvent(id, t, zone, 0, 100));

    JsonNode decision = awaitRecord(id).path("decisions").get(0);
    assertThat(decision.path("policy").asText()).isEqualTo(DNS);
    assertThat(decision.path("action").asText()).isEqualTo("block");
    JsonNode d = awaitRecord(revertId(id, DNS)).path("decisions").get(0);
    assertThat(d.path("details").path("revert").asText()).isEqualTo("done");
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "Portcullis put back the weights of api.revert.example.com A in zone "
                + zone
                + " (blue 100, green 0) that alice's change had made blue 0, green 100, in one"
                + " change batch");
    Map<String, Long> weights = new TreeMap<>();
    fake.recordSets(zone).stream()
        .filter(s -> s.weight() != null)
        .forEach(s -> weights.put(s.setIdentifier(), s.weight()));
    assertThat(weights).isEqualTo(Map.of("blue", 100L, "green", 0L));
    assertThat(fake.calls("ChangeResourceRecordSets")).isEqualTo(changes + 1);
    JsonNode batch = d.path("details").path("calls").get(0).path("changeBatch");
    // Per member, its current record set deleted exactly as listed, then created with the old
    // weight.
    assertThat(batch.path("changes")).hasSize(4);
    assertThat(batch.path("changes").get(0).path("action").asText()).isEqualTo("DELETE");
    assertThat(batch.path("changes").get(1).path("action").asText()).isEqualTo("CREATE");

    // The same shift again a minute later (before the revert's own CloudTrail record arrives):
    // judged against the weights Portcullis put back, so it is caught and put back again.
    fake.seed(
        zone,
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "blue", 0),
        FakeRoute53.RecordSet.weightedAlias("api.revert.example.com", "A", "green", 100));
    String again = Events.newId();
    producer.send(CLOUDTRAIL, weightEvent(again, t.plusSeconds(60), zone, 0, 100));
    assertThat(awaitRecord(again).path("decisions").get(0).path("action").asText())
        .isEqualTo("block");
    assertThat(
            awaitRecord(revertId(again, DNS))
                .path("decisions")
                .get(0)
                .path("details")
                .path("revert")
                .asText())
        .isEqualTo("done");
    assertThat(fake.calls("ChangeResourceRecordSets")).isEqualTo(changes + 2);
  }

  static String weightEvent(String id, Instant at, String zone, long blue, long green) {
    String member =
        "{\"action\":\"UPSERT\",\"resourceRecordSet\":{\"name\":\"api.revert.example.com\","
            + "\"type\":\"A\",\"setIdentifier\":\"%s\",\"weight\":%d,\"aliasTarget\":"
            + "{\"hostedZoneId\":\"Z35SXDOTRQ7X7K\",\"dNSName\":"
            + "\"%s-lb-1234567890.us-east-1.elb.amazonaws.com\",\"evaluateTargetHealth\":true}}}";
    return "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"
        + "\"AIDA4EXAMPLEALICE0001\",\"arn\":\"arn:aws:iam::111122223333:user/alice\","
        + "\"accountId\":\"111122223333\",\"userName\":\"alice\"},\"eventTime\":\""
        + at
        + "\",\"eventSource\":\"route53.amazonaws.com\",\"eventName\":\"ChangeResourceRecordSets\","
        + "\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.23\",\"userAgent\":"
        + "\"aws-cli/2.15.30\",\"requestParameters\":{\"hostedZoneId\":\""
        + zone
        + "\",\"changeBatch\":{\"changes\":["
        + String.format(member, "blue", blue, "blue")
        + ","
        + String.format(member, "green", green, "green")
        + "]}},\"responseElements\":{\"changeInfo\":{\"id\":\"/change/C0EXAMPLE\",\"status\":"
        + "\"PENDING\",\"submittedAt\":\"Jan 1, 2030 10:00:00 AM\"}},\"requestID\":\""
        + Events.newId()
        + "\",\"eventID\":\""
        + id
        + "\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"managementEvent\":true,"
        + "\"recipientAccountId\":\"111122223333\"}";
  }

  // ---- when not to revert ----

  @Test
  void aLaterChangeIsRecordedAndLeftAlone() {
    String b = bucket();
    JsonNode outage = config(OUTAGE_RULE);
    apply(b, outage);
    apply(b, config(LOGS_RULE)); // a newer change came before Portcullis got to the event
    String id = Events.newId();
    producer.send(CLOUDTRAIL, byPerson(lifecycleEvent(id, b, now(), outage)));

    JsonNode d = awaitRecord(revertId(id, ETCD)).path("decisions").get(0);
    assertThat(d.path("action").asText()).isEqualTo("alert");
    assertThat(d.path("details").path("revert").asText()).isEqualTo("skipped");
    assertThat(d.path("details").path("reason").asText()).isEqualTo(RevertOutcome.LATER_CHANGE);
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "Portcullis left the lifecycle configuration of bucket "
                + b
                + " alone: it has changed since bob set it (it now has rules expire-logs), so a"
                + " later change is in force");
    assertThat(ruleIds(b)).containsExactly("expire-logs");
  }

  @Test
  void aFailedRevertCallIsRecordedAsFailed() {
    // The bucket does not exist in S3 (any more): reading its configuration fails.
    String b = "revert-stream-gone-" + Events.newId().substring(0, 8);
    String id = Events.newId();
    producer.send(CLOUDTRAIL, byPerson(lifecycleEvent(id, b, now(), config(OUTAGE_RULE))));

    JsonNode d = awaitRecord(revertId(id, ETCD)).path("decisions").get(0);
    assertThat(d.path("action").asText()).isEqualTo("alert");
    assertThat(d.path("details").path("revert").asText()).isEqualTo("failed");
    assertThat(d.path("details").path("reason").asText()).isEqualTo(RevertOutcome.API_ERROR);
    assertThat(d.path("summary").asText())
        .startsWith(
            "Portcullis could not revert the lifecycle change bob made to bucket "
                + b
                + ": it failed to read the bucket's lifecycle configuration (S3 answered 404"
                + " NoSuchBucket");
  }

  @Test
  void anIacToolIsRevertedTwiceInAnHourThenAlertedAbout() {
    String b = bucket();
    JsonNode outage = config(OUTAGE_RULE);
    Instant t = now();
    String[] ids = {Events.newId(), Events.newId(), Events.newId()};
    for (int i = 0; i < 2; i++) {
      apply(b, outage); // Terraform applies (again)
      producer.send(CLOUDTRAIL, lifecycleEvent(ids[i], b, t.plusSeconds(600L * i), outage));
      JsonNode d = awaitRecord(revertId(ids[i], ETCD)).path("decisions").get(0);
      assertThat(d.path("details").path("revert").asText()).isEqualTo("done");
      assertThat(ruleIds(b)).isEmpty();
      // The first time the configuration before is not known: the offending rule goes. The
      // second time it is: the state Portcullis's first revert left (no configuration).
      assertThat(d.path("summary").asText())
          .contains(
              i == 0 ? "the configuration it replaced is not known" : "which had none before");
    }
    apply(b, outage);
    producer.send(CLOUDTRAIL, lifecycleEvent(ids[2], b, t.plusSeconds(1200), outage));

    JsonNode d = awaitRecord(revertId(ids[2], ETCD)).path("decisions").get(0);
    assertThat(d.path("action").asText()).isEqualTo("alert");
    assertThat(d.path("details").path("reason").asText()).isEqualTo(RevertOutcome.IAC_LIMIT);
    assertThat(d.path("details").path("alertScope").asText()).isEqualTo(Reverts.SCOPE_IAC);
    assertThat(d.path("details").path("iacIdentity").asText())
        .isEqualTo("arn:aws:iam::111122223333:role/terraform-ci");
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "IaC keeps re-applying this: arn:aws:iam::111122223333:role/terraform-ci (terraform)"
                + " changed the lifecycle configuration of bucket "
                + b
                + " again after Portcullis reverted it 2 times within 1 hour, so Portcullis stops"
                + " reverting it: fix the change where the IaC code declares it, or waive it with"
                + " an exception");
    // Left as Terraform set it.
    assertThat(ruleIds(b)).containsExactly("expire-old-backups");

    // Alerting: the "IaC keeps re-applying this" alert is a problem of its own.
    await().atMost(WAIT).until(() -> !pending(revertId(ids[2], ETCD)).isEmpty());
    await().atMost(WAIT).until(() -> !pending(revertId(ids[0], ETCD)).isEmpty());
    assertThat(pending(revertId(ids[2], ETCD)).get(0).key())
        .isNotEqualTo(pending(revertId(ids[0], ETCD)).get(0).key());
  }

  @Test
  void nothingIsRevertedFromTheEvaluateEndpoint() {
    String b = bucket();
    JsonNode outage = config(OUTAGE_RULE);
    apply(b, outage);
    String id = Events.newId();
    String action =
        given()
            .contentType(ContentType.JSON)
            .body(byPerson(lifecycleEvent(id, b, now(), outage)))
            .post("/v1/evaluate")
            .then()
            .statusCode(200)
            .extract()
            .path("results[0].decisions.find { it.policy == 'etcd-control-files' }.action");
    assertThat(action).isEqualTo("block");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                decisions.withKey(revertId(id, ETCD)).isEmpty()
                    && ruleIds(b).equals(List.of("expire-old-backups")));
  }

  @Test
  void onlyBlockDecisionsOfOptedInPoliciesOnChangesThatTookEffectAreReverted() throws Exception {
    String b = bucket();
    String json = byPerson(lifecycleEvent(Events.newId(), b, now(), config(OUTAGE_RULE)));
    ChangeEvent e = decode(json);
    assertThat(prepare(e, record(e, decision(ETCD, Enforcement.BLOCK)))).hasSize(1);
    // An operator override to alert or audit, or an exception, is not block.
    assertThat(prepare(e, record(e, decision(ETCD, Enforcement.ALERT)))).isEmpty();
    assertThat(prepare(e, record(e, decision(ETCD, Enforcement.AUDIT)))).isEmpty();
    assertThat(prepare(e, record(e, decision(ETCD, Enforcement.BLOCK).suppressedBy("waiver-1"))))
        .isEmpty();
    // A policy without reverts (not opted in, none exists).
    assertThat(prepare(e, record(e, decision("cloudtrail-stopped", Enforcement.BLOCK)))).isEmpty();
    // A failed request changed nothing.
    ObjectNode failed = Events.tree(json);
    failed.put("errorCode", "AccessDenied");
    failed.put("errorMessage", "Access Denied");
    ChangeEvent f = decode(failed.toString());
    assertThat(prepare(f, record(f, decision(ETCD, Enforcement.BLOCK)))).isEmpty();
  }

  @Test
  void aDeleteObjectsOfManyProtectedKeysRestoresEveryOne() throws Exception {
    // Twelve clusters' control files in one DeleteObjects whose keys the record carries; the
    // decision's details name ten of them.
    StringBuilder objects = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      objects
          .append(i == 0 ? "" : ",")
          .append("{\"Key\":\"c")
          .append(i)
          .append("/backups/etcd/main/control/etcd-cluster-created\"}");
    }
    objects.append(",{\"Key\":\"c0/backups/etcd/main/etcd.backup.gz\"}");
    String json =
        "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":"
            + "\"arn:aws:iam::111122223333:user/bob\",\"accountId\":\"111122223333\","
            + "\"userName\":\"bob\"},\"eventTime\":\""
            + now()
            + "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"DeleteObjects\","
            + "\"awsRegion\":\"eu-west-1\",\"userAgent\":\"aws-cli/2.22.4\",\"requestParameters\":"
            + "{\"bucketName\":\"many-clusters\",\"delete\":{\"Object\":["
            + objects
            + "]}},\"responseElements\":null,\"eventID\":\""
            + Events.newId()
            + "\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"eventCategory\":\"Data\","
            + "\"recipientAccountId\":\"111122223333\"}";
    ChangeEvent e = decode(json);
    DecisionRecord r = evaluator.evaluate(e, Instant.now(), false);
    Decision d = r.decisions().get(0);
    assertThat(d.action()).isEqualTo(Enforcement.BLOCK);
    assertThat((List<?>) d.details().get("protectedKeys")).hasSize(10);

    List<Reverts.Job> jobs = prepare(e, r);
    S3Reverts.ObjectsPlan plan = (S3Reverts.ObjectsPlan) jobs.get(0).plan;
    assertThat(plan.keys())
        .hasSize(12)
        .allMatch(k -> k.endsWith("/backups/etcd/main/control/etcd-cluster-created"));
  }

  /** The reverts a decision asks for, judged without earlier state. */
  List<Reverts.Job> prepare(ChangeEvent e, DecisionRecord r) {
    return reverts.prepare(e, r, new StateStore());
  }

  ChangeEvent decode(String json) throws Exception {
    return decoder.decode(json.getBytes(StandardCharsets.UTF_8), Instant.now()).events().get(0);
  }

  static Decision decision(String policy, Enforcement action) {
    return new Decision(
        policy,
        action,
        action,
        Severity.CRITICAL,
        "rule expire-old-backups expires backups/etcd/main/control/etcd-cluster-created",
        "title",
        null,
        "rule",
        Map.of("lifecycleRule", "expire-old-backups"));
  }

  static DecisionRecord record(ChangeEvent e, Decision d) {
    return DecisionRecord.of(e, Instant.now(), Instant.now(), "v1", List.of(d));
  }

  // ---- idempotence ----

  @Test
  void aRedeliveredEventIsNotRevertedTwice() {
    String b = bucket();
    JsonNode set = config(UPLOADS_RULE, OUTAGE_RULE);
    apply(b, set);
    String id = Events.newId();
    String event = byPerson(lifecycleEvent(id, b, now(), set));
    producer.send(CLOUDTRAIL, event);
    awaitRecord(revertId(id, ETCD));
    assertThat(ruleIds(b)).containsExactly("abort-uploads");

    // The same configuration is back (so a second revert would change it), and CloudTrail
    // delivers the same event again: it is not decided nor reverted a second time.
    apply(b, set);
    producer.send(CLOUDTRAIL, event);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(8))
        .until(
            () ->
                decisions.withKey(revertId(id, ETCD)).size() == 1
                    && decisions.withKey(id).size() == 1);
    assertThat(ruleIds(b)).containsExactly("abort-uploads", "expire-old-backups");
  }

  @Test
  void aRevertIsRunOncePerScopeAndARerunAfterLostStateFindsItDone() throws Exception {
    String b = bucket();
    JsonNode set = config(UPLOADS_RULE, OUTAGE_RULE);
    apply(b, set);
    String json = byPerson(lifecycleEvent(Events.newId(), b, now(), set));
    ChangeEvent e = decode(json);
    StateStore state = new StateStore();
    DecisionRecord r = evaluator.evaluate(e, Instant.now(), state, true);
    List<Reverts.Job> jobs = reverts.prepare(e, r, state);
    assertThat(jobs).hasSize(1);

    RevertOutcome first = reverts.run(jobs.get(0), state);
    assertThat(first.status()).isEqualTo(RevertOutcome.Status.DONE);
    assertThat(ruleIds(b)).containsExactly("abort-uploads");
    // The same decision again with the scope's state: not run at all.
    assertThat(reverts.run(jobs.get(0), state)).isNull();

    // The same decision without that state (a crash before the stream committed it): S3 shows it
    // done, so nothing is called.
    StateStore lost = new StateStore();
    List<Reverts.Job> again = reverts.prepare(e, r, lost);
    RevertOutcome second = reverts.run(again.get(0), lost);
    assertThat(second.status()).isEqualTo(RevertOutcome.Status.SKIPPED);
    assertThat(second.reason()).isEqualTo(RevertOutcome.ALREADY_REVERTED);
    assertThat(second.calls()).isEmpty();
    assertThat(reverts.record(again.get(0), second).decisions().get(0).action())
        .isEqualTo(Enforcement.AUDIT);
    assertThat(ruleIds(b)).containsExactly("abort-uploads");

    // A newer change after the revert: a late redelivery leaves it alone.
    apply(b, config(LOGS_RULE));
    StateStore late = new StateStore();
    RevertOutcome outcome = reverts.run(reverts.prepare(e, r, late).get(0), late);
    assertThat(outcome.reason()).isEqualTo(RevertOutcome.LATER_CHANGE);
    assertThat(ruleIds(b)).containsExactly("expire-logs");
  }
}
