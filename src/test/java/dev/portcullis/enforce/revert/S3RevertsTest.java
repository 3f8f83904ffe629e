package dev.portcullis.enforce.revert;

import static dev.portcullis.enforce.revert.LifecycleFixtures.LOGS_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.OUTAGE_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.UPLOADS_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.protect.ProtectionState;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.S3MockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3 reverts against a real S3 API server (S3Mock) through the AWS SDK v2 client: lifecycle
 * configurations put back or cut down, later changes left alone, reverts found done before, dry
 * runs that write nothing, failures reported, and deleted objects restored by removing their delete
 * marker in a versioned bucket.
 */
class S3RevertsTest {

  static final String CONTROL = "backups/etcd/main/control/etcd-cluster-created";
  static final Instant T = Instant.parse("2026-11-20T09:12:44Z");

  static S3Client s3;

  @BeforeAll
  static void client() {
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

  @AfterAll
  static void close() {
    s3.close();
  }

  static String bucket() {
    String b = "revert-" + Events.newId().substring(0, 8);
    s3.createBucket(x -> x.bucket(b));
    return b;
  }

  static S3Reverts reverts(boolean dryRun) {
    return new S3Reverts(s3, dryRun, Duration.ofMinutes(1));
  }

  static void apply(String bucket, JsonNode config) {
    LifecycleFixtures.apply(s3, bucket, config);
  }

  static List<String> ruleIds(String bucket) {
    return LifecycleFixtures.ruleIds(s3, bucket);
  }

  static boolean hasNoLifecycle(String bucket) {
    try {
      s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket));
      return false;
    } catch (S3Exception e) {
      return "NoSuchLifecycleConfiguration".equals(e.awsErrorDetails().errorCode());
    }
  }

  static ProtectionState.LifecycleSnapshot seen(JsonNode config) {
    return new ProtectionState.LifecycleSnapshot(config, T.minusSeconds(3600), "earlier-event");
  }

  static S3Reverts.LifecyclePlan plan(
      String bucket, JsonNode set, ProtectionState.LifecycleSnapshot previous) {
    return new S3Reverts.LifecyclePlan(
        bucket, "terraform-apply", "outage-event", set, previous, Set.of("expire-old-backups"));
  }

  // ---- lifecycle ----

  @Test
  void thePreviousConfigurationIsPutBack() {
    String b = bucket();
    JsonNode outage = config(OUTAGE_RULE);
    apply(b, outage);

    RevertOutcome o = reverts(false).lifecycle(plan(b, outage, seen(config(UPLOADS_RULE))));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DONE);
    assertThat(ruleIds(b)).containsExactly("abort-uploads");
    assertThat(o.summary())
        .isEqualTo(
            "Portcullis put back the lifecycle configuration bucket "
                + b
                + " had before terraform-apply's change (rules abort-uploads), taking back rule"
                + " expire-old-backups");
    assertThat(o.calls()).hasSize(1);
    assertThat(o.calls().get(0))
        .containsEntry("operation", "PutBucketLifecycleConfiguration")
        .containsEntry("bucket", b)
        .doesNotContainKey("_rules");
    assertThat(o.calls().get(0).get("lifecycleConfiguration").toString())
        .contains("\"ID\":\"abort-uploads\"", "\"DaysAfterInitiation\":7");
    assertThat(o.details()).containsEntry("basis", "previous configuration seen by Portcullis");
  }

  @Test
  void aBucketThatHadNoConfigurationLosesTheNewOne() {
    String b = bucket();
    JsonNode outage = config(OUTAGE_RULE);
    apply(b, outage);
    // Portcullis saw DeleteBucketLifecycle before: no configuration.
    ProtectionState.LifecycleSnapshot none =
        new ProtectionState.LifecycleSnapshot(null, T.minusSeconds(60), "delete-event");

    RevertOutcome o = reverts(false).lifecycle(plan(b, outage, none));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DONE);
    assertThat(hasNoLifecycle(b)).isTrue();
    assertThat(o.calls().get(0)).containsEntry("operation", "DeleteBucketLifecycle");
    assertThat(o.summary()).contains("which had none before terraform-apply's change");
  }

  @Test
  void withoutThePreviousConfigurationOnlyTheOffendingRuleGoes() {
    String b = bucket();
    JsonNode set = config(UPLOADS_RULE, OUTAGE_RULE, LOGS_RULE);
    apply(b, set);

    RevertOutcome o = reverts(false).lifecycle(plan(b, set, null));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DONE);
    assertThat(ruleIds(b)).containsExactly("abort-uploads", "expire-logs");
    assertThat(o.summary())
        .isEqualTo(
            "Portcullis removed lifecycle rule expire-old-backups from bucket "
                + b
                + " (set by terraform-apply; the configuration it replaced is not known), keeping"
                + " rules abort-uploads, expire-logs");
  }

  @Test
  void whenTheOffendingRuleIsTheOnlyOneTheConfigurationIsDeleted() {
    String b = bucket();
    JsonNode set = config(OUTAGE_RULE);
    apply(b, set);

    RevertOutcome o = reverts(false).lifecycle(plan(b, set, null));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DONE);
    assertThat(hasNoLifecycle(b)).isTrue();
    assertThat(o.calls().get(0)).containsEntry("operation", "DeleteBucketLifecycle");
  }

  @Test
  void aLaterChangeIsLeftAlone() {
    String b = bucket();
    JsonNode outage = config(OUTAGE_RULE);
    apply(b, outage);
    apply(b, config(LOGS_RULE)); // someone changed it again after the event

    RevertOutcome o = reverts(false).lifecycle(plan(b, outage, seen(config(UPLOADS_RULE))));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.SKIPPED);
    assertThat(o.reason()).isEqualTo(RevertOutcome.LATER_CHANGE);
    assertThat(o.calls()).isEmpty();
    assertThat(ruleIds(b)).containsExactly("expire-logs");
    assertThat(o.summary())
        .isEqualTo(
            "Portcullis left the lifecycle configuration of bucket "
                + b
                + " alone: it has changed since terraform-apply set it (it now has rules"
                + " expire-logs), so a later change is in force");
  }

  @Test
  void aSecondRunFindsItRevertedAndWritesNothing() {
    String b = bucket();
    JsonNode outage = config(OUTAGE_RULE);
    apply(b, outage);
    S3Reverts.LifecyclePlan p = plan(b, outage, seen(config(UPLOADS_RULE)));
    assertThat(reverts(false).lifecycle(p).status()).isEqualTo(RevertOutcome.Status.DONE);

    RevertOutcome again = reverts(false).lifecycle(p);

    assertThat(again.status()).isEqualTo(RevertOutcome.Status.SKIPPED);
    assertThat(again.reason()).isEqualTo(RevertOutcome.ALREADY_REVERTED);
    assertThat(again.calls()).isEmpty();
    assertThat(ruleIds(b)).containsExactly("abort-uploads");
  }

  @Test
  void aDryRunReadsButWritesNothingAndReturnsTheExactCall() {
    String b = bucket();
    JsonNode set = config(UPLOADS_RULE, OUTAGE_RULE);
    apply(b, set);

    RevertOutcome o = reverts(true).lifecycle(plan(b, set, null));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DRY_RUN);
    assertThat(ruleIds(b)).containsExactly("abort-uploads", "expire-old-backups");
    assertThat(o.summary())
        .startsWith("Dry run: Portcullis would have removed lifecycle rule expire-old-backups");
    assertThat(o.calls()).hasSize(1);
    assertThat(o.calls().get(0).get("lifecycleConfiguration").toString())
        .isEqualTo(
            "{\"Rules\":[{\"ID\":\"abort-uploads\",\"Status\":\"Enabled\",\"Filter\":{},"
                + "\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":7}}]}");
    assertThat(o.details()).containsEntry("dryRun", true);
  }

  @Test
  void aFailedCallIsAFailedRevert() {
    String missing = "revert-missing-" + Events.newId().substring(0, 8);
    JsonNode outage = config(OUTAGE_RULE);

    RevertOutcome o = reverts(false).lifecycle(plan(missing, outage, null));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.FAILED);
    assertThat(o.reason()).isEqualTo(RevertOutcome.API_ERROR);
    assertThat(o.summary())
        .startsWith(
            "Portcullis could not revert the lifecycle change terraform-apply made to bucket "
                + missing
                + ": it failed to read the bucket's lifecycle configuration (S3 answered 404"
                + " NoSuchBucket");
    assertThatThrownBy(() -> s3.headBucket(x -> x.bucket(missing))).isInstanceOf(S3Exception.class);
  }

  @Test
  void aDecisionNamingNoRuleOfTheConfigurationIsNotGuessed() {
    String b = bucket();
    JsonNode set = config(LOGS_RULE);
    apply(b, set);

    RevertOutcome o = reverts(false).lifecycle(plan(b, set, null));

    assertThat(o.reason()).isEqualTo(RevertOutcome.PREVIOUS_UNKNOWN);
    assertThat(ruleIds(b)).containsExactly("expire-logs");
  }

  // ---- deleted objects ----

  static String versionedBucket() {
    String b = bucket();
    s3.putBucketVersioning(
        x -> x.bucket(b).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    return b;
  }

  static S3Reverts.ObjectsPlan deleted(String bucket, Instant at, String marker) {
    return new S3Reverts.ObjectsPlan(
        bucket, "alice@example.com", List.of(CONTROL), at, marker, null);
  }

  static String content(String bucket) {
    return s3.getObjectAsBytes(x -> x.bucket(bucket).key(CONTROL)).asUtf8String();
  }

  static DeleteMarkerEntry marker(String bucket) {
    return s3.listObjectVersions(x -> x.bucket(bucket).prefix(CONTROL)).deleteMarkers().get(0);
  }

  @Test
  void aDeletedObjectComesBackWhenItsDeleteMarkerIsRemoved() {
    String b = versionedBucket();
    s3.putObject(x -> x.bucket(b).key(CONTROL), RequestBody.fromString("created"));
    s3.deleteObject(x -> x.bucket(b).key(CONTROL));
    DeleteMarkerEntry m = marker(b);

    // CloudTrail did not record the marker's version: the marker's time must match the event's.
    RevertOutcome o = reverts(false).objects(deleted(b, m.lastModified(), null));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DONE);
    assertThat(content(b)).isEqualTo("created");
    assertThat(o.calls())
        .containsExactly(
            Map.of(
                "operation",
                "DeleteObject",
                "bucket",
                b,
                "key",
                CONTROL,
                "versionId",
                m.versionId(),
                "removes",
                "delete marker"));
    assertThat(o.summary())
        .isEqualTo(
            "Portcullis restored "
                + CONTROL
                + " in bucket "
                + b
                + " after alice@example.com deleted it, by removing the delete marker so the"
                + " previous version is current again");

    // Redelivered: it is there again, nothing is written.
    RevertOutcome again = reverts(false).objects(deleted(b, m.lastModified(), null));
    assertThat(again.reason()).isEqualTo(RevertOutcome.ALREADY_REVERTED);
    assertThat(again.calls()).isEmpty();
  }

  @Test
  void theRecordedMarkerMustBeTheLatest() {
    String b = versionedBucket();
    s3.putObject(x -> x.bucket(b).key(CONTROL), RequestBody.fromString("v1"));
    s3.deleteObject(x -> x.bucket(b).key(CONTROL));
    String first = marker(b).versionId();
    // Written and deleted again after the event: the latest marker is a later one.
    s3.putObject(x -> x.bucket(b).key(CONTROL), RequestBody.fromString("v2"));
    s3.deleteObject(x -> x.bucket(b).key(CONTROL));

    RevertOutcome o = reverts(false).objects(deleted(b, Instant.now(), first));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.SKIPPED);
    assertThat(o.reason()).isEqualTo(RevertOutcome.LATER_CHANGE);
    assertThat(o.summary()).contains("is not the one the delete made (" + first + ")");
    assertThatThrownBy(() -> content(b)).isInstanceOf(S3Exception.class);
  }

  @Test
  void aMarkerFromAnotherTimeIsNotTheEventsMarker() {
    String b = versionedBucket();
    s3.putObject(x -> x.bucket(b).key(CONTROL), RequestBody.fromString("v1"));
    s3.deleteObject(x -> x.bucket(b).key(CONTROL));
    Instant markerTime = marker(b).lastModified();

    RevertOutcome o =
        reverts(false).objects(deleted(b, markerTime.minus(Duration.ofHours(2)), null));

    assertThat(o.reason()).isEqualTo(RevertOutcome.LATER_CHANGE);
    assertThatThrownBy(() -> content(b)).isInstanceOf(S3Exception.class);
  }

  @Test
  void anUnversionedBucketCannotGiveItBack() {
    String b = bucket();
    s3.putObject(x -> x.bucket(b).key(CONTROL), RequestBody.fromString("created"));
    s3.deleteObject(x -> x.bucket(b).key(CONTROL));

    RevertOutcome o = reverts(false).objects(deleted(b, Instant.now(), null));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.SKIPPED);
    assertThat(o.reason()).isEqualTo(RevertOutcome.NOT_RESTORABLE);
    assertThat(o.summary())
        .isEqualTo(
            "Portcullis did not restore "
                + CONTROL
                + " in bucket "
                + b
                + " after alice@example.com deleted it: no version of it is left (the bucket is"
                + " not versioned)");
  }

  @Test
  void aPermanentlyDeletedVersionIsNotRestorable() {
    String b = versionedBucket();
    RevertOutcome o =
        reverts(false)
            .objects(
                new S3Reverts.ObjectsPlan(
                    b, "alice@example.com", List.of(CONTROL), T, null, "3HL4kqtJlcpXroDTDmJ"));
    assertThat(o.reason()).isEqualTo(RevertOutcome.NOT_RESTORABLE);
    assertThat(o.summary()).contains("deleted version 3HL4kqtJlcpXroDTDmJ permanently");
  }

  @Test
  void aDryRunLeavesTheMarkerInPlace() {
    String b = versionedBucket();
    s3.putObject(x -> x.bucket(b).key(CONTROL), RequestBody.fromString("created"));
    s3.deleteObject(x -> x.bucket(b).key(CONTROL));
    DeleteMarkerEntry m = marker(b);

    RevertOutcome o = reverts(true).objects(deleted(b, m.lastModified(), m.versionId()));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DRY_RUN);
    assertThat(o.calls().get(0)).containsEntry("versionId", m.versionId());
    assertThatThrownBy(() -> content(b)).isInstanceOf(S3Exception.class);
  }
}
