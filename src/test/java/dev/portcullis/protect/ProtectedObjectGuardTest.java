package dev.portcullis.protect;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.S3MockResource;
import dev.portcullis.testing.S3MockServer;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The guard in the running service, against a real S3 API server (S3Mock) and a real Kafka broker:
 * the object is deleted in S3 and one critical decision record appears on the decisions topic,
 * however many checks follow; the object is put back and the resolving record appears. While the
 * object exists, its bucket counts as holding protected objects for the policy.
 */
@QuarkusTest
@TestProfile(ProtectedObjectGuardTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class ProtectedObjectGuardTest {

  static final String BUCKET = "guarded-etcd-backups";
  static final String KEY = "prod.example.com/backups/etcd/main/control/etcd-cluster-created";
  static final String URI = "s3://" + BUCKET + "/" + KEY;
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper JSON = new ObjectMapper();

  /** S3 access on (S3Mock), one guarded object, checked every second. */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "portcullis.protection.guard.objects",
          URI,
          "portcullis.protection.guard.interval",
          "PT1S");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(GuardedObject.class));
    }
  }

  /** The guarded object exists before the service starts, so its first check finds it. */
  public static class GuardedObject extends S3MockResource {
    @Override
    public Map<String, String> start() {
      Map<String, String> config = super.start();
      writer().createBucket(b -> b.bucket(BUCKET));
      writer().putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromString("created"));
      return config;
    }
  }

  static synchronized S3Client writer() {
    if (writer == null) {
      writer =
          S3Client.builder()
              .region(Region.US_EAST_1)
              .endpointOverride(S3MockServer.shared().endpoint())
              .forcePathStyle(true)
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
              .httpClientBuilder(UrlConnectionHttpClient.builder())
              .build();
    }
    return writer;
  }

  static S3Client writer;
  static TopicWatcher decisions;

  @BeforeAll
  static void setUp() {
    decisions =
        new TopicWatcher(KafkaBrokerResource.broker().bootstrapServers(), "portcullis.decisions");
  }

  @AfterAll
  static void tearDown() throws Exception {
    writer().close();
    writer = null;
    decisions.close();
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
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  static List<JsonNode> guardRecords(String action) {
    return decisions
        .matching(r -> r.value() != null && r.value().contains("\"" + action + "\""))
        .stream()
        .map(
            r -> {
              try {
                return JSON.readTree(r.value());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })
        .filter(n -> n.path("target").path("key").asText().equals(KEY))
        .toList();
  }

  @Test
  void aDisappearingObjectRaisesOneCriticalRecordAndItsReturnResolvesIt() {
    // Seen present first.
    await()
        .atMost(WAIT)
        .until(() -> metric("portcullis_guard_objects", "status=\"present\"") == 1.0);

    // While it exists, its bucket holds protected objects: a whole-bucket expiration fires.
    String lifecycle =
        "{\"eventVersion\":\"1.09\",\"eventSource\":\"s3.amazonaws.com\","
            + "\"eventName\":\"PutBucketLifecycle\",\"eventTime\":\""
            + Instant.now()
            + "\",\"eventID\":\"guard-test-lifecycle\",\"awsRegion\":\"eu-west-1\","
            + "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user/dave\","
            + "\"userName\":\"dave\"},\"readOnly\":false,\"requestParameters\":{\"bucketName\":\""
            + BUCKET
            + "\",\"lifecycle\":\"\",\"LifecycleConfiguration\":{\"Rule\":{\"ID\":\"expire-all\","
            + "\"Filter\":\"\",\"Status\":\"Enabled\",\"Expiration\":{\"Days\":7}}}}}";
    String summary =
        given()
            .contentType(ContentType.JSON)
            .body(lifecycle)
            .post("/v1/evaluate")
            .then()
            .statusCode(200)
            .extract()
            .path("results[0].decisions.find { it.policy == 'etcd-control-files' }.summary");
    assertThat(summary).contains("rule expire-all (whole bucket)").contains(KEY);

    // Deleted: one critical record.
    writer().deleteObject(b -> b.bucket(BUCKET).key(KEY));
    await().atMost(WAIT).until(() -> guardRecords(ProtectedObjectGuard.MISSING).size() == 1);
    JsonNode missing = guardRecords(ProtectedObjectGuard.MISSING).get(0);
    assertThat(missing.path("source").asText()).isEqualTo(ProtectedObjectGuard.SOURCE);
    assertThat(missing.path("eventId").asText()).startsWith("guard-");
    JsonNode d = missing.path("decisions").get(0);
    assertThat(d.path("policy").asText()).isEqualTo("etcd-control-files");
    assertThat(d.path("severity").asText()).isEqualTo("critical");
    assertThat(d.path("action").asText()).isEqualTo("alert");
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "protected object "
                + URI
                + " has disappeared (last seen "
                + d.path("details").path("lastSeen").asText()
                + "): whatever removed it, restore it before etcd-manager or kOps reads it");
    String id = missing.path("eventId").asText();
    assertThat(
            decisions.withKey(id).stream()
                .filter(r -> r.value().contains(ProtectedObjectGuard.MISSING))
                .count())
        .isEqualTo(1);

    // Not every tick: three more rounds, still one record.
    double rounds = metric("portcullis_guard_rounds_total", "");
    await().atMost(WAIT).until(() -> metric("portcullis_guard_rounds_total", "") >= rounds + 3);
    assertThat(guardRecords(ProtectedObjectGuard.MISSING)).hasSize(1);
    assertThat(metric("portcullis_guard_objects", "status=\"missing\"")).isEqualTo(1.0);

    // Back: the resolving record names the one it resolves.
    writer().putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromString("created"));
    await().atMost(WAIT).until(() -> guardRecords(ProtectedObjectGuard.RESTORED).size() == 1);
    JsonNode restored = guardRecords(ProtectedObjectGuard.RESTORED).get(0);
    assertThat(restored.path("eventId").asText()).isEqualTo(id + "-restored");
    JsonNode r = restored.path("decisions").get(0);
    assertThat(r.path("action").asText()).isEqualTo("audit");
    assertThat(r.path("details").path("resolves").asText()).isEqualTo(id);
    assertThat(r.path("summary").asText()).startsWith("protected object " + URI + " exists again");
    await()
        .atMost(WAIT)
        .until(() -> metric("portcullis_guard_objects", "status=\"present\"") == 1.0);
  }
}
