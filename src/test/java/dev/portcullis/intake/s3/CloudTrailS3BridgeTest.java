package dev.portcullis.intake.s3;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.ElasticMqServer;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.S3MockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The bridge in the running service, against a real SQS API (ElasticMQ), a real S3 API (S3Mock) and
 * a real Kafka broker, as docs/intake-s3.md sets it up: CloudTrail's gzip log files are put in the
 * bucket, a notification in each of the four shapes is sent to the queue, and the records appear on
 * the CloudTrail topic (refusals on the dead-letter topic) before the message leaves the queue.
 */
@QuarkusTest
@TestProfile(CloudTrailS3BridgeTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class CloudTrailS3BridgeTest {

  static final String BUCKET = "portcullis-s3-test-trail";
  static final String QUEUE = "portcullis-s3-test-cloudtrail";
  static final String CLOUDTRAIL = "portcullis.s3-test.cloudtrail";
  static final String DEAD_LETTER = "portcullis.s3-test.dead-letter";
  static final String PREFIX =
      "org/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2024/07/30/";
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();

  /** Own topics; the bridge on, polling quickly, retrying a missing object once after 1 s. */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> m = new HashMap<>();
      m.put("portcullis.topics.cloudtrail", CLOUDTRAIL);
      m.put("portcullis.topics.k8s-audit", "portcullis.s3-test.k8s-audit");
      m.put("portcullis.topics.decisions", "portcullis.s3-test.decisions");
      m.put("portcullis.topics.changes", "portcullis.s3-test.changes");
      m.put("portcullis.topics.dead-letter", DEAD_LETTER);
      m.put("quarkus.kafka-streams.application-id", "portcullis-s3-test");
      m.put("portcullis.intake.cloudtrail-s3.wait-time", "PT1S");
      m.put("portcullis.intake.cloudtrail-s3.retry-backoff", "PT1S");
      m.put("portcullis.intake.cloudtrail-s3.max-retry-backoff", "PT1S");
      m.put("portcullis.intake.cloudtrail-s3.max-receives", "2");
      m.put("portcullis.intake.cloudtrail-s3.concurrency", "2");
      m.put("portcullis.intake.cloudtrail-s3.stop-timeout", "PT2S");
      return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(QueueAndBucket.class));
    }
  }

  /** The queue and the trail bucket exist before the service starts, as an admin leaves them. */
  public static class QueueAndBucket implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      ElasticMqServer sqs = ElasticMqServer.shared();
      String url = sqs.createQueue(QUEUE);
      S3MockServer s3 = S3MockServer.shared();
      s3().createBucket(b -> b.bucket(BUCKET));
      return Map.of(
          "portcullis.intake.cloudtrail-s3.queue-url",
          url,
          "portcullis.intake.cloudtrail-s3.sqs-endpoint",
          sqs.endpoint().toString(),
          "portcullis.intake.cloudtrail-s3.s3-endpoint",
          s3.endpoint().toString(),
          "portcullis.intake.cloudtrail-s3.s3-path-style",
          "true",
          "portcullis.intake.cloudtrail-s3.access-key-id",
          "test",
          "portcullis.intake.cloudtrail-s3.secret-access-key",
          "test");
    }

    @Override
    public void stop() {
      // The servers are shared; they stop with the test JVM.
    }
  }

  static S3Client s3;
  static String queueUrl;

  static synchronized S3Client s3() {
    if (s3 == null) {
      s3 =
          S3Client.builder()
              .region(Region.US_EAST_1)
              .endpointOverride(S3MockServer.shared().endpoint())
              .forcePathStyle(true)
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
              .httpClientBuilder(UrlConnectionHttpClient.builder())
              .build();
    }
    return s3;
  }

  @BeforeAll
  static void setUp() {
    queueUrl = ElasticMqServer.shared().createQueue(QUEUE);
  }

  @AfterAll
  static void tearDown() {
    s3().close();
    s3 = null;
  }

  // ---- the log files, as CloudTrail writes them

  /** The fixture's records (three good, one without userIdentity), event ids {@code id-0..3}. */
  static byte[] logFile(String id) {
    try (InputStream in =
        CloudTrailS3BridgeTest.class.getResourceAsStream("/intake-s3/log-file.json")) {
      JsonNode root = JSON.readTree(in);
      int i = 0;
      for (JsonNode r : root.get("Records")) {
        ((ObjectNode) r).put("eventID", id + "-" + i++);
      }
      return gzip(JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  static String key(String name) {
    return PREFIX + "111122223333_CloudTrail_us-east-1_20240730T2135Z_" + name + ".json.gz";
  }

  static void put(String key, byte[] content) {
    s3().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
  }

  static void send(String body) {
    ElasticMqServer.shared().client().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
  }

  /** Waits until no message is left in the queue, visible or being worked on. */
  static void awaitQueueEmpty() {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> ElasticMqServer.shared().messagesIn(queueUrl) == 0);
  }

  // ---- the notifications, in their four shapes

  static String s3Event(String key) {
    String encoded = java.net.URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    return """
        {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
          "eventTime":"2024-07-30T21:35:12.345Z","eventName":"ObjectCreated:Put",
          "s3":{"s3SchemaVersion":"1.0","configurationId":"cloudtrail-to-portcullis",
                "bucket":{"name":"%s","arn":"arn:aws:s3:::%s"},
                "object":{"key":"%s","size":1234,"sequencer":"0066A95E40"}}}]}
        """
        .formatted(BUCKET, BUCKET, encoded);
  }

  static String sns(String message) {
    try {
      return JSON.writeValueAsString(
          JSON.createObjectNode()
              .put("Type", "Notification")
              .put("MessageId", "8f2c1c1e-0000-4000-8000-000000000001")
              .put("TopicArn", "arn:aws:sns:us-east-1:111122223333:cloudtrail-logs")
              .put("Message", message));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String eventBridge(String key) {
    return """
        {"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created",
         "source":"aws.s3","account":"111122223333","time":"2024-07-30T21:35:12Z",
         "region":"us-east-1","resources":["arn:aws:s3:::%s"],
         "detail":{"version":"0","bucket":{"name":"%s"},"object":{"key":"%s","size":1234},
                   "reason":"PutObject"}}
        """
        .formatted(BUCKET, BUCKET, key);
  }

  static String cloudTrailSns(String key) {
    return sns("{\"s3Bucket\":\"" + BUCKET + "\",\"s3ObjectKey\":[\"" + key + "\"]}");
  }

  // ---- reading the topics as they are now (not eventually)

  record Rec(String key, String value, Map<String, String> headers) {}

  /** Every record of the topic up to its end offsets at the time of the call. */
  static List<Rec> readAll(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.broker().bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<Rec> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("reading " + topic + " to its end").isLessThan(deadline);
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          Map<String, String> h = new HashMap<>();
          for (Header x : r.headers()) {
            h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
          }
          out.add(
              new Rec(
                  r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                  new String(r.value(), StandardCharsets.UTF_8),
                  h));
        }
      }
    }
    return out;
  }

  static List<Rec> withKeyPrefix(List<Rec> records, String prefix) {
    return records.stream().filter(r -> r.key() != null && r.key().startsWith(prefix)).toList();
  }

  static List<Rec> deadLettersAt(String location) {
    return readAll(DEAD_LETTER).stream()
        .filter(r -> location.equals(r.headers().get("dead-letter-location")))
        .toList();
  }

  static double metric(String name, String labels) {
    String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(name)
                    + (labels.isEmpty()
                        ? "(?:\\{[^}]*\\})?"
                        : "\\{[^}]*" + Pattern.quote(labels) + "[^}]*\\}")
                    + " (\\S+)$")
            .matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  // ---- the cases

  @Test
  void everyNotificationShapeBringsItsLogFileToTheTopicBeforeTheMessageGoes() throws Exception {
    double filesBefore = metric("portcullis_intake_s3_files_total", "outcome=\"read\"");
    Map<String, String> shapes = new HashMap<>();
    shapes.put("s3event", "s3-event");
    shapes.put("sns", "sns-s3-event");
    shapes.put("eventbridge", "eventbridge");
    shapes.put("cloudtrailsns", "cloudtrail-sns");
    for (String shape : shapes.keySet()) {
      put(key("shape-" + shape), logFile("shape-" + shape));
    }
    send(s3Event(key("shape-s3event")));
    send(sns(s3Event(key("shape-sns"))));
    send(eventBridge(key("shape-eventbridge")));
    send(cloudTrailSns(key("shape-cloudtrailsns")));

    awaitQueueEmpty();

    // Read once the queue is empty, with no waiting: the bridge deletes only after Kafka's ack.
    List<Rec> topic = readAll(CLOUDTRAIL);
    for (String shape : shapes.keySet()) {
      List<Rec> written = withKeyPrefix(topic, "shape-" + shape + "-");
      assertThat(written)
          .as(shape)
          .extracting(Rec::key)
          .containsExactlyInAnyOrder(
              "shape-" + shape + "-0", "shape-" + shape + "-1", "shape-" + shape + "-2");
      assertThat(
              metric(
                  "portcullis_intake_s3_notifications_total",
                  "shape=\"" + shapes.get(shape) + "\""))
          .as(shape)
          .isGreaterThanOrEqualTo(1);
    }
    // Each record on its own, as CloudTrail wrote it, secret material removed.
    JsonNode stop = JSON.readTree(withKeyPrefix(topic, "shape-sns-1").get(0).value());
    assertThat(stop.path("eventName").asText()).isEqualTo("StopLogging");
    assertThat(stop.path("userIdentity").path("userName").asText()).isEqualTo("dave");
    JsonNode secret = JSON.readTree(withKeyPrefix(topic, "shape-sns-2").get(0).value());
    assertThat(secret.path("eventName").asText()).isEqualTo("PutSecretValue");
    assertThat(secret.path("requestParameters").has("SecretString")).isFalse();
    assertThat(secret.path("requestParameters").path("secretId").asText())
        .isEqualTo("prod/db/password");
    assertThat(topic).noneMatch(r -> r.value().contains("hunter2-do-not-leak"));

    // The fourth record has no userIdentity: refused with the field named, in every file.
    for (String shape : shapes.keySet()) {
      List<Rec> refused =
          deadLettersAt("s3://" + BUCKET + "/" + key("shape-" + shape) + " Records[3]");
      assertThat(refused).as(shape).hasSize(1);
      assertThat(refused.get(0).headers())
          .containsEntry("dead-letter-code", "missing-field")
          .containsEntry("dead-letter-field", "userIdentity")
          .containsEntry("dead-letter-intake", CloudTrailS3Bridge.INTAKE);
      assertThat(refused.get(0).headers().get("dead-letter-reason")).contains("userIdentity");
      assertThat(JSON.readTree(refused.get(0).value()).path("eventName").asText())
          .isEqualTo("PutBucketPolicy");
    }
    assertThat(metric("portcullis_intake_s3_files_total", "outcome=\"read\""))
        .isEqualTo(filesBefore + 4);
    assertThat(metric("portcullis_intake_s3_records_total", "outcome=\"written\""))
        .isGreaterThanOrEqualTo(12);
    assertThat(metric("portcullis_intake_s3_records_total", "outcome=\"refused\""))
        .isGreaterThanOrEqualTo(4);
    assertThat(metric("portcullis_intake_s3_bytes_total", "form=\"json\"")).isGreaterThan(0);
    // Counted just after the delete, which the test may see first.
    await()
        .atMost(WAIT)
        .until(() -> metric("portcullis_intake_s3_message_age_seconds_count", "") >= 4);
    assertThat(given().get("/q/metrics").then().extract().asString())
        .contains("portcullis_intake_s3_oldest_message_age_seconds");
  }

  @Test
  void aKeyWithASpaceIsDecodedFromTheS3Notification() {
    String key =
        PREFIX.replace("org/", "org unit/")
            + "111122223333_CloudTrail_us-east-1_20240730T2140Z_space.json.gz";
    put(key, logFile("space"));
    send(s3Event(key));

    awaitQueueEmpty();

    assertThat(withKeyPrefix(readAll(CLOUDTRAIL), "space-")).hasSize(3);
  }

  @Test
  void poisonFilesGoToTheDeadLetterTopicWithTheReasonAndTheMessageIsDeleted() throws Exception {
    put(key("poison-plain"), "{\"Records\":[]}".getBytes(StandardCharsets.UTF_8));
    put(key("poison-notjson"), gzip("<html>503</html>".getBytes(StandardCharsets.UTF_8)));
    put(key("poison-norecords"), gzip("{\"records\":[]}".getBytes(StandardCharsets.UTF_8)));
    put(key("poison-truncated"), java.util.Arrays.copyOf(logFile("truncated"), 40));
    send(cloudTrailSns(key("poison-plain")));
    send(s3Event(key("poison-notjson")));
    send(sns(s3Event(key("poison-norecords"))));
    send(eventBridge(key("poison-truncated")));

    awaitQueueEmpty();

    assertThat(deadLettersAt("s3://" + BUCKET + "/" + key("poison-plain")))
        .singleElement()
        .satisfies(r -> assertThat(r.headers()).containsEntry("dead-letter-code", "bad-gzip"));
    assertThat(deadLettersAt("s3://" + BUCKET + "/" + key("poison-notjson")))
        .singleElement()
        .satisfies(r -> assertThat(r.headers()).containsEntry("dead-letter-code", "not-json"));
    assertThat(deadLettersAt("s3://" + BUCKET + "/" + key("poison-norecords")))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.headers())
                  .containsEntry("dead-letter-code", "unsupported-shape")
                  .containsEntry("dead-letter-field", "Records");
              assertThat(r.headers().get("dead-letter-reason")).contains("no Records list");
            });
    assertThat(deadLettersAt("s3://" + BUCKET + "/" + key("poison-truncated")))
        .singleElement()
        .satisfies(r -> assertThat(r.headers()).containsEntry("dead-letter-code", "bad-gzip"));
    assertThat(withKeyPrefix(readAll(CLOUDTRAIL), "truncated-")).isEmpty();
    assertThat(metric("portcullis_intake_s3_failures_total", "reason=\"not-json\"")).isEqualTo(1);
  }

  @Test
  void aMissingObjectIsRetriedThenDeadLettered() {
    String missing = key("never-written");
    double retried = metric("portcullis_intake_s3_messages_total", "outcome=\"retried\"");
    send(s3Event(missing));

    awaitQueueEmpty();

    assertThat(deadLettersAt("s3://" + BUCKET + "/" + missing))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.headers()).containsEntry("dead-letter-code", "missing-object");
              assertThat(r.headers().get("dead-letter-reason")).contains("after 2 receives");
            });
    // Received twice: left for SQS once, dead-lettered on the second receive.
    assertThat(metric("portcullis_intake_s3_messages_total", "outcome=\"retried\""))
        .isEqualTo(retried + 1);
    assertThat(metric("portcullis_intake_s3_failures_total", "reason=\"missing-object\""))
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void testEventsAndFilesThatAreNoLogFilesAreIgnoredAndDeleted() {
    double tests = metric("portcullis_intake_s3_messages_ignored_total", "reason=\"test-event\"");
    double notLogs =
        metric("portcullis_intake_s3_messages_ignored_total", "reason=\"not-a-log-file\"");
    String digest =
        "org/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail-Digest/us-east-1/2024/07/30/"
            + "111122223333_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20240730T2135Z.json.gz";
    put(digest, logFile("digest"));
    send(
        "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2024-07-30T21:30:00Z\","
            + "\"Bucket\":\""
            + BUCKET
            + "\",\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":\"8cLeGAmw\"}");
    send(s3Event(digest));

    awaitQueueEmpty();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(
                      metric(
                          "portcullis_intake_s3_messages_ignored_total", "reason=\"test-event\""))
                  .isEqualTo(tests + 1);
              assertThat(
                      metric(
                          "portcullis_intake_s3_messages_ignored_total",
                          "reason=\"not-a-log-file\""))
                  .isEqualTo(notLogs + 1);
            });
    assertThat(withKeyPrefix(readAll(CLOUDTRAIL), "digest-")).isEmpty();
  }

  @Test
  void aMessageThatIsNoNotificationIsADeadLetterNotSilence() {
    String marker = "not-a-notification-" + java.util.UUID.randomUUID();
    send("{\"hello\":\"" + marker + "\"}");

    awaitQueueEmpty();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<Rec> dead =
                  readAll(DEAD_LETTER).stream().filter(r -> r.value().contains(marker)).toList();
              assertThat(dead).hasSize(1);
              assertThat(dead.get(0).headers())
                  .containsEntry("dead-letter-code", "unsupported-shape")
                  .containsEntry("dead-letter-intake", "cloudtrail-s3");
              assertThat(dead.get(0).headers().get("dead-letter-location")).startsWith("sqs:");
            });
  }
}
