package dev.portcullis.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.RateLimiter;
import dev.portcullis.protect.ProtectionParameters;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.S3MockServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;

/** {@link S3Inventory} against a real S3 API server (S3Mock), through the AWS SDK v2 client. */
class S3InventoryTest {

  static final String CREATED = "backups/etcd/main/control/etcd-cluster-created";
  static final String SPEC = "backups/etcd/main/control/etcd-cluster-spec";

  static final S3Client s3 =
      S3Client.builder()
          .region(Region.US_EAST_1)
          .endpointOverride(S3MockServer.shared().endpoint())
          .forcePathStyle(true)
          .credentialsProvider(
              StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
          .httpClientBuilder(UrlConnectionHttpClient.builder())
          .build();

  static ProtectionParameters params(String overrides) throws Exception {
    return ProtectionParameters.of(
        dev.portcullis.enrich.JsonMerge.merge(
            InventoryRecordsTest.defaults(), new ObjectMapper().readTree(overrides)));
  }

  static S3Inventory inventory(int maxKeys) {
    return new S3Inventory(
        s3,
        new RateLimiter(1000, 10, RateLimiter.Ticker.SYSTEM),
        Duration.ofSeconds(5),
        10_000,
        maxKeys);
  }

  static String bucket(String... keys) {
    String b = "inventory-" + Events.newId().substring(0, 8);
    s3.createBucket(x -> x.bucket(b));
    for (String k : keys) {
      s3.putObject(x -> x.bucket(b).key(k), RequestBody.fromString("x"));
    }
    return b;
  }

  @Test
  void controlFilesLifecycleAndVersioningAreRead() throws Exception {
    String b = bucket(CREATED, SPEC, "backups/etcd/main/2026-11-19/etcd.backup.gz", "logs/a.log");
    s3.putBucketVersioning(
        x -> x.bucket(b).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    s3.putBucketLifecycleConfiguration(
        x ->
            x.bucket(b)
                .lifecycleConfiguration(
                    c ->
                        c.rules(
                            r ->
                                r.id("expire-logs")
                                    .status(ExpirationStatus.ENABLED)
                                    .filter(f -> f.prefix("logs/"))
                                    .expiration(e -> e.days(14)))));
    S3Inventory inv = inventory(10_000);
    java.time.Instant before = java.time.Instant.now();
    S3Inventory.BucketReading r = inv.bucket(b, params("{}"));
    // Dated when the reading ended, not when the pass began.
    assertThat(r.readAt()).isAfterOrEqualTo(before).isBeforeOrEqualTo(java.time.Instant.now());
    assertThat(r.protectedKeys()).containsOnlyKeys(CREATED, SPEC);
    assertThat(r.protectedKeys().get(CREATED)).isNotNull();
    assertThat(r.complete()).isTrue();
    assertThat(r.problem()).isNull();
    assertThat(r.versioning()).isEqualTo("Enabled");
    assertThat(r.lifecycleRead()).isTrue();
    assertThat(r.lifecycle().path("Rules").get(0).path("ID").asText()).isEqualTo("expire-logs");
    assertThat(r.lifecycle().path("Rules").get(0).path("Expiration").path("Days").asInt())
        .isEqualTo(14);
    // One listing (the default patterns start with **: the whole bucket), lifecycle, versioning.
    assertThat(inv.calls()).isEqualTo(3);
  }

  @Test
  void aBucketWithoutLifecycleOrVersioningReadsAsSuch() throws Exception {
    String b = bucket("logs/a.log");
    S3Inventory.BucketReading r = inventory(10_000).bucket(b, params("{}"));
    assertThat(r.protectedKeys()).isEmpty();
    assertThat(r.complete()).isTrue();
    assertThat(r.lifecycleRead()).isTrue(); // NoSuchLifecycleConfiguration is an answer
    assertThat(r.lifecycle()).isNull();
    assertThat(r.versioning()).isNull();
  }

  @Test
  void aBucketWithMoreKeysThanTheBoundIsReadInPart() throws Exception {
    String b = bucket("a/1", "a/2", "a/3", CREATED);
    S3Inventory.BucketReading r = inventory(2).bucket(b, params("{}"));
    assertThat(r.complete()).isFalse();
    assertThat(r.problem()).contains("more than 2 keys");
    assertThat(r.protectedKeys()).isEmpty(); // the control file sorts after the bound
  }

  @Test
  void kopsStateStoresAreFoundByTheirMarkers() throws Exception {
    String b =
        bucket(
            "prod.example.com/cluster-completed.spec",
            "prod.example.com/config",
            "prod.example.com/instancegroup/nodes",
            "other/config");
    S3Inventory.BucketReading r = inventory(10_000).bucket(b, params("{}"));
    assertThat(r.clusterRoots()).containsExactly("prod.example.com");
    assertThat(r.protectedKeys())
        .containsOnlyKeys(
            "prod.example.com/cluster-completed.spec", "prod.example.com/config", "other/config");
  }

  @Test
  void aMissingBucketIsReportedNotThrown() throws Exception {
    S3Inventory.BucketReading r =
        inventory(10_000)
            .bucket("inventory-missing-" + Events.newId().substring(0, 8), params("{}"));
    assertThat(r.complete()).isFalse();
    assertThat(r.problem()).startsWith("ListObjectsV2: NoSuchBucket");
  }

  @Test
  void everyBucketOfTheAccountIsReadWithinTheBound() throws Exception {
    String b = bucket(CREATED);
    S3Inventory.Result all = inventory(10_000).read(params("{}"));
    assertThat(all.buckets()).extracting(S3Inventory.BucketReading::bucket).contains(b);
    assertThat(all.bucketsInAccount()).isEqualTo(all.buckets().size() + all.skipped());
    S3Inventory one =
        new S3Inventory(
            s3, new RateLimiter(1000, 10, RateLimiter.Ticker.SYSTEM), Duration.ofSeconds(5), 1, 10);
    S3Inventory.Result bounded = one.read(params("{}"));
    assertThat(bounded.buckets()).hasSize(1);
    assertThat(bounded.skipped()).isEqualTo(all.bucketsInAccount() - 1);
  }

  @Test
  void literalPrefixes() {
    assertThat(S3Inventory.literalPrefix("**/backups/etcd/*/control/x")).isEmpty();
    assertThat(S3Inventory.literalPrefix("backups/etcd/*/control/x")).isEqualTo("backups/etcd/");
    assertThat(S3Inventory.literalPrefix("backups/etcd/main/control/x"))
        .isEqualTo("backups/etcd/main/control/x");
    assertThat(S3Inventory.literalPrefix("backups/etc*/x")).isEqualTo("backups/");
  }
}
