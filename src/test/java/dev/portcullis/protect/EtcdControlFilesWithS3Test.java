package dev.portcullis.protect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.enrich.CompositeLookups;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.enrich.s3.S3Access;
import dev.portcullis.enrich.s3.S3Config;
import dev.portcullis.enrich.s3.S3Lookups;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.CloudTrailParser;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.PolicyCompiler;
import dev.portcullis.policy.PolicySet;
import dev.portcullis.policy.PolicySources;
import dev.portcullis.policy.Severity;
import dev.portcullis.testing.S3MockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * The bundled {@code etcd-control-files} policy with real S3 lookups (S3Mock): the decision counts
 * the protected objects S3 lists, tag and size filters are judged on the objects' real tags and
 * sizes, a whole-bucket rule fires where S3 shows protected objects and stays quiet where it shows
 * none, and a failed lookup is decided on the event alone.
 */
class EtcdControlFilesWithS3Test {

  static final String BUCKET = "etcd-backups-policy";
  static final String LOGS = "cloudtrail-logs-policy";
  static final String CREATED = "backups/etcd/main/control/etcd-cluster-created";
  static final String SPEC = "backups/etcd/main/control/etcd-cluster-spec";
  static final ObjectMapper JSON = new ObjectMapper();

  static S3Client writer;
  static PolicySet policies;

  @BeforeAll
  static void setUp() throws Exception {
    S3MockServer s3 = S3MockServer.shared();
    writer =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(s3.endpoint())
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    writer.createBucket(b -> b.bucket(BUCKET));
    writer.createBucket(b -> b.bucket(LOGS));
    writer.putObject(
        b ->
            b.bucket(BUCKET)
                .key(CREATED)
                .tagging(
                    Tagging.builder()
                        .tagSet(Tag.builder().key("retention").value("short").build())
                        .build()),
        RequestBody.fromString("created"));
    writer.putObject(
        b -> b.bucket(BUCKET).key(SPEC), RequestBody.fromString("{\"memberCount\":3}"));
    writer.putObject(
        b -> b.bucket(BUCKET).key("backups/etcd/main/2026-11-19T00:00:00Z/etcd.backup.gz"),
        RequestBody.fromString("x".repeat(8192)));
    writer.putObject(
        b -> b.bucket(LOGS).key("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/a.json.gz"),
        RequestBody.fromString("{}"));
    policies =
        new PolicyCompiler(-1, Clock.systemUTC())
            .compile(PolicySources.fromDirectory(Path.of("rules")));
  }

  @AfterAll
  static void tearDown() {
    if (writer != null) {
      writer.close();
    }
  }

  static Lookups s3(URI endpoint) {
    S3Config config =
        new S3Config() {
          public boolean enabled() {
            return true;
          }

          public String region() {
            return "us-east-1";
          }

          public Optional<URI> endpoint() {
            return Optional.of(endpoint);
          }

          public boolean pathStyle() {
            return true;
          }

          public Optional<String> accessKeyId() {
            return Optional.of("a");
          }

          public Optional<String> secretAccessKey() {
            return Optional.of("b");
          }

          public Duration timeout() {
            return Duration.ofSeconds(2);
          }

          public int maxAttempts() {
            return 1;
          }

          public Duration cacheTtl() {
            return Duration.ZERO;
          }

          public int cacheMaxEntries() {
            return 100;
          }

          public double requestsPerSecond() {
            return 100;
          }

          public Duration rateLimitWait() {
            return Duration.ofMillis(250);
          }

          public int maxListedKeys() {
            return 1000;
          }
        };
    return new CompositeLookups(
        List.of(new S3Lookups(Optional.of(S3Access.build(config, new SimpleMeterRegistry())))));
  }

  final StateStore state = new StateStore();

  List<Decision> decide(Lookups lookups, String bucket, String rule) throws Exception {
    ObjectNode rec =
        (ObjectNode)
            JSON.readTree(
                "{\"eventVersion\":\"1.09\",\"eventSource\":\"s3.amazonaws.com\","
                    + "\"eventName\":\"PutBucketLifecycle\",\"eventTime\":\""
                    + Instant.now()
                    + "\",\"eventID\":\""
                    + java.util.UUID.randomUUID()
                    + "\",\"awsRegion\":\"eu-west-1\",\"userIdentity\":{\"type\":\"AssumedRole\","
                    + "\"arn\":\"arn:aws:sts::111122223333:assumed-role/Ops/carol\"},"
                    + "\"readOnly\":false,\"requestParameters\":{\"bucketName\":\""
                    + bucket
                    + "\",\"lifecycle\":\"\",\"LifecycleConfiguration\":{\"Rule\":"
                    + rule
                    + "}}}");
    ChangeEvent e = new CloudTrailParser(JSON).parse(rec, Instant.now());
    FactContext ctx = new FactContext(lookups, policies.parameters(Map.of()), state, true);
    return policies.evaluate(e, Enrichment.standard().facts(e, ctx), Map.of()).stream()
        .filter(d -> d.policy().equals("etcd-control-files"))
        .toList();
  }

  @Test
  void theDecisionCountsTheProtectedObjectsS3Lists() throws Exception {
    List<Decision> d =
        decide(
            s3(S3MockServer.shared().endpoint()),
            BUCKET,
            "{\"ID\":\"expire-old-backups\",\"Filter\":{\"Prefix\":\"backups/\"},"
                + "\"Status\":\"Enabled\",\"Expiration\":{\"Days\":30}}");
    assertThat(d).singleElement();
    assertThat(d.get(0).severity()).isEqualTo(Severity.CRITICAL);
    assertThat(d.get(0).summary())
        .contains("expires " + CREATED + " and " + SPEC + " after 30 days")
        .contains("S3 lists 2 such objects there now");
    assertThat(d.get(0).details()).containsEntry("objectsReached", 2);
    assertThat(d.get(0).details()).containsEntry("s3Lookup", "answered");
  }

  @Test
  void aWholeBucketRuleFiresWhereS3ShowsProtectedObjectsAndNowhereElse() throws Exception {
    Lookups s3 = s3(S3MockServer.shared().endpoint());
    String wholeBucket =
        "{\"ID\":\"nuke\",\"Filter\":\"\",\"Status\":\"Enabled\",\"Expiration\":{\"Days\":1}}";
    assertThat(decide(s3, LOGS, wholeBucket)).isEmpty();
    List<Decision> d = decide(s3, BUCKET, wholeBucket);
    assertThat(d).singleElement();
    assertThat(d.get(0).summary()).contains("(whole bucket)").contains("S3 lists 2 such objects");
    // What the listing found is remembered: the bucket is known from now on.
    assertThat(state.of(ProtectionState.class, ProtectionState::new).keys(BUCKET))
        .extracting(ProtectionState.KeyState::key)
        .containsExactlyInAnyOrder(CREATED, SPEC);
  }

  @Test
  void tagAndSizeFiltersAreJudgedOnTheObjectsThemselves() throws Exception {
    Lookups s3 = s3(S3MockServer.shared().endpoint());
    List<Decision> tagged =
        decide(
            s3,
            BUCKET,
            "{\"ID\":\"expire-short\",\"Filter\":{\"And\":{\"Prefix\":\"backups/\",\"Tag\":"
                + "{\"Key\":\"retention\",\"Value\":\"short\"}}},\"Status\":\"Enabled\","
                + "\"Expiration\":{\"Days\":3}}");
    assertThat(tagged).singleElement();
    // Only the tagged file is reached; the untagged spec is spared.
    assertThat(tagged.get(0).summary())
        .contains("expires " + CREATED + " after 3 days")
        .contains("S3 lists 1 such object there now")
        .doesNotContain(SPEC);
    assertThat(
            decide(
                s3,
                BUCKET,
                "{\"ID\":\"expire-big\",\"Filter\":{\"And\":{\"Prefix\":\"backups/\","
                    + "\"ObjectSizeGreaterThan\":1024}},\"Status\":\"Enabled\","
                    + "\"Expiration\":{\"Days\":3}}"))
        .isEmpty();
  }

  @Test
  void aFailedLookupIsDecidedOnTheEventAloneAndSaysSo() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // nothing listens here once closed
    }
    List<Decision> d =
        decide(
            s3(URI.create("http://127.0.0.1:" + closed)),
            BUCKET,
            "{\"ID\":\"expire-old-backups\",\"Filter\":{\"Prefix\":\"backups/\"},"
                + "\"Status\":\"Enabled\",\"Expiration\":{\"Days\":30}}");
    assertThat(d).singleElement();
    assertThat(d.get(0).summary())
        .contains("expires backups/etcd/*/control/etcd-cluster-created")
        .contains("the S3 lookup failed, so this was decided on the event alone");
    assertThat(d.get(0).details()).containsEntry("s3Lookup", "failed");
  }
}
