package dev.portcullis.enrich.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.S3MockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * The {@code s3.*} lookups against a real S3 API server (S3Mock): listings with sizes and times,
 * HeadObject, tags, the listing bound, the cache, the rate limit, and failures (a frozen server
 * times out, a stopped one refuses) that answer nothing and are counted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3LookupsTest {

  static final String BUCKET = "etcd-backups";
  static final String CREATED = "backups/etcd/main/control/etcd-cluster-created";
  static final String SPEC = "backups/etcd/main/control/etcd-cluster-spec";
  static final String SPEC_BODY = "{\"memberCount\":3,\"etcdVersion\":\"3.5.15\"}";

  static S3MockServer server;
  static S3Client writer;

  @BeforeAll
  static void start() {
    server = S3MockServer.start(BUCKET, "empty-bucket");
    writer =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(server.endpoint())
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    put(CREATED, "created", List.of(Tag.builder().key("retention").value("keep").build()));
    put(SPEC, SPEC_BODY, List.of());
    put(
        "backups/etcd/main/2026-11-19T00:00:00Z-000001/etcd.backup.gz",
        "x".repeat(4096),
        List.of());
    put("logs/app.log", "log line", List.of());
  }

  static void put(String key, String body, List<Tag> tags) {
    writer.putObject(
        b -> {
          b.bucket(BUCKET).key(key);
          if (!tags.isEmpty()) {
            b.tagging(Tagging.builder().tagSet(tags).build());
          }
        },
        RequestBody.fromString(body));
  }

  @AfterAll
  static void stop() {
    if (writer != null) {
      writer.close();
    }
    if (server != null) {
      server.close();
    }
  }

  SimpleMeterRegistry registry = new SimpleMeterRegistry();

  S3Lookups lookups(TestS3Config config) {
    return new S3Lookups(Optional.of(S3Access.build(config, registry)));
  }

  double count(String operation, String result) {
    var c =
        registry
            .find("portcullis.lookups")
            .tag("family", "s3")
            .tag("operation", operation)
            .tag("result", result)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  @Order(1)
  void listsObjectsUnderAPrefixWithSizesAndTimes() {
    S3Lookups s3 = lookups(TestS3Config.of(server.endpoint()));
    assertThat(s3.family()).isEqualTo("s3");
    assertThat(s3.active()).isTrue();
    JsonNode a = s3.find("s3.objects", BUCKET + "/backups/").orElseThrow();
    assertThat(a.path("truncated").asBoolean()).isFalse();
    List<String> keys = new ArrayList<>();
    a.path("objects").forEach(o -> keys.add(o.path("key").asText()));
    assertThat(keys)
        .containsExactlyInAnyOrder(
            CREATED, SPEC, "backups/etcd/main/2026-11-19T00:00:00Z-000001/etcd.backup.gz");
    for (JsonNode o : a.path("objects")) {
      if (o.path("key").asText().equals(CREATED)) {
        assertThat(o.path("size").asLong()).isEqualTo("created".length());
        assertThat(o.path("lastModified").asText()).endsWith("Z");
      }
    }
    JsonNode none = s3.find("s3.objects", BUCKET + "/nothing-here/").orElseThrow();
    assertThat(none.path("objects")).isEmpty();
    JsonNode whole = s3.find("s3.objects", BUCKET + "/").orElseThrow();
    assertThat(whole.path("objects")).hasSize(4);
    assertThat(count("list", "ok")).isEqualTo(3);
  }

  @Test
  @Order(2)
  void aListingStopsAtItsBoundAndSaysSo() {
    S3Lookups s3 = lookups(TestS3Config.of(server.endpoint()).withMaxListedKeys(2));
    JsonNode a = s3.find("s3.objects", BUCKET + "/").orElseThrow();
    assertThat(a.path("objects")).hasSize(2);
    assertThat(a.path("truncated").asBoolean()).isTrue();
  }

  @Test
  @Order(3)
  void headAndTagsOfPresentAndAbsentObjects() {
    S3Lookups s3 = lookups(TestS3Config.of(server.endpoint()));
    JsonNode head = s3.find("s3.object", BUCKET + "/" + SPEC).orElseThrow();
    assertThat(head.path("exists").asBoolean()).isTrue();
    assertThat(head.path("size").asLong()).isEqualTo(SPEC_BODY.length());
    JsonNode gone = s3.find("s3.object", BUCKET + "/backups/etcd/events/control/x").orElseThrow();
    assertThat(gone.path("exists").asBoolean()).isFalse();
    assertThat(count("head", "not-found")).isEqualTo(1);

    JsonNode tagged = s3.find("s3.objectTags", BUCKET + "/" + CREATED).orElseThrow();
    assertThat(tagged.path("tags").path("retention").asText()).isEqualTo("keep");
    JsonNode untagged = s3.find("s3.objectTags", BUCKET + "/" + SPEC).orElseThrow();
    assertThat(untagged.path("tags")).isEmpty();
    assertThat(untagged.path("exists").asBoolean()).isTrue();

    JsonNode noBucket = s3.find("s3.objects", "no-such-bucket/backups/").orElseThrow();
    assertThat(noBucket.path("bucketExists").asBoolean(true)).isFalse();
    // Not a question this family answers: no answer, no call.
    assertThat(s3.find("s3.unknown", BUCKET + "/x")).isEmpty();
    assertThat(s3.find("s3.objects", "no-slash")).isEmpty();
  }

  @Test
  @Order(4)
  void answersAreCachedButTheGuardsHeadIsFresh() {
    S3ObjectReader reader = S3Access.build(TestS3Config.of(server.endpoint()), registry);
    String key = "backups/etcd/events/control/etcd-cluster-created";
    writer.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("c"));
    assertThat(reader.head(BUCKET, key).notFound()).isFalse();
    writer.deleteObject(b -> b.bucket(BUCKET).key(key));
    // The lookup path may answer from its cache for a while ...
    assertThat(reader.head(BUCKET, key).notFound()).isFalse();
    assertThat(count("head", "cached")).isEqualTo(1);
    // ... the guard's check never does.
    assertThat(reader.headFresh(BUCKET, key).notFound()).isTrue();

    S3ObjectReader uncached =
        S3Access.build(TestS3Config.of(server.endpoint()).withCacheTtl(Duration.ZERO), registry);
    assertThat(uncached.head(BUCKET, key).notFound()).isTrue();
  }

  @Test
  @Order(5)
  void theRateLimitTurnsExcessCallsIntoCountedFailures() {
    S3Lookups s3 =
        lookups(
            TestS3Config.of(server.endpoint())
                .withCacheTtl(Duration.ZERO)
                .withRate(1, Duration.ZERO));
    assertThat(s3.find("s3.object", BUCKET + "/" + SPEC)).isPresent();
    assertThat(s3.find("s3.object", BUCKET + "/" + SPEC)).isEmpty();
    assertThat(count("head", "rate-limited")).isEqualTo(1);
  }

  @Test
  @Order(6)
  void aFrozenServerTimesOutAndTheFailureIsCounted() {
    S3Lookups s3 =
        lookups(
            TestS3Config.of(server.endpoint())
                .withTimeout(Duration.ofMillis(700))
                .withCacheTtl(Duration.ZERO));
    server.freeze();
    try {
      assertThat(s3.find("s3.objects", BUCKET + "/backups/")).isEmpty();
      assertThat(s3.find("s3.object", BUCKET + "/" + CREATED)).isEmpty();
    } finally {
      server.thaw();
    }
    assertThat(count("list", "timeout")).isEqualTo(1);
    assertThat(count("head", "timeout")).isEqualTo(1);
    // Thawed, the same lookups answer again.
    assertThat(s3.find("s3.object", BUCKET + "/" + CREATED)).isPresent();
  }

  @Test
  @Order(7)
  void aStoppedServerAnswersNothingAndTheFailureIsCounted() {
    S3Lookups s3 = lookups(TestS3Config.of(server.endpoint()).withCacheTtl(Duration.ZERO));
    assertThat(s3.find("s3.object", BUCKET + "/" + CREATED)).isPresent();
    server.close();
    assertThat(server.isAlive()).isFalse();
    assertThat(s3.find("s3.object", BUCKET + "/" + CREATED)).isEmpty();
    assertThat(s3.find("s3.objectTags", BUCKET + "/" + CREATED)).isEmpty();
    assertThat(count("head", "failed") + count("head", "timeout")).isEqualTo(1);
    assertThat(count("tags", "failed") + count("tags", "timeout")).isEqualTo(1);
  }
}
