package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.Corpus;
import dev.portcullis.testing.S3MockServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The backtest over history as CloudTrail writes it (a gzip log file in its folder layout, with a
 * digest file beside it), JSON Lines, an audit log, an S3 prefix and the shared corpus: per-policy
 * counts, examples, each event once, and the progress bar.
 */
class BacktestCommandTest {

  static final ObjectMapper JSON = new ObjectMapper();

  record Run(int code, String out, String err) {}

  static Run backtest(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        BacktestCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The row of a policy in the table: block, alert, audit, suppressed, events. */
  static int[] row(String out, String policy) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(policy)
                    + "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$")
            .matcher(out);
    assertThat(m.find()).as("a row for %s in:%n%s", policy, out).isTrue();
    int[] r = new int[5];
    for (int i = 0; i < 5; i++) {
      r[i] = Integer.parseInt(m.group(i + 1));
    }
    return r;
  }

  static String resource(String name) throws IOException {
    try (InputStream in = BacktestCommandTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(b)) {
      z.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  /** A CloudTrail log file with a person's StopLogging and a read, gzip as CloudTrail writes it. */
  static byte[] logFile(String stopLoggingId) throws IOException {
    JsonNode envelope =
        JSON.readTree(
            resource("intake/eventbridge-stop-logging.json").replace("${ID}", stopLoggingId));
    ObjectNode read = envelope.path("detail").deepCopy();
    read.put("eventName", "DescribeTrails")
        .put("readOnly", true)
        .put("eventID", UUID.randomUUID().toString());
    ObjectNode file = JSON.createObjectNode();
    file.putArray("Records").add(envelope.path("detail")).add(read);
    return gzip(JSON.writeValueAsString(file));
  }

  @Test
  void aCloudTrailFolderAndAnAuditLogAreJudgedPerPolicyWithExamplesAndAProgressBar(
      @TempDir Path dir) throws IOException {
    Path day = dir.resolve("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/12/02");
    Files.createDirectories(day);
    String stop = UUID.randomUUID().toString();
    Files.write(
        day.resolve("111122223333_CloudTrail_eu-west-1_20261202T0915Z_a1.json.gz"), logFile(stop));
    // The same file delivered twice (CloudTrail may): each event counts once.
    Files.write(
        day.resolve("111122223333_CloudTrail_eu-west-1_20261202T0915Z_a2.json.gz"), logFile(stop));
    Path digest = dir.resolve("AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/12/02");
    Files.createDirectories(digest);
    Files.write(digest.resolve("digest.json.gz"), logFile(UUID.randomUUID().toString()));
    Files.writeString(
        dir.resolve("more.jsonl"),
        Files.readString(Path.of("rules/cloudtrail-stopped/tests/events/delete-trail.json")).trim()
            + "\n");
    Path audit = dir.resolve("audit.log");
    Files.writeString(
        audit,
        resource("intake/apiserver-eventlist.json")
            .replace("${SECRET}", "s1")
            .replace("${PODS}", "p1")
            .replace("${WATCH}", "w1"));

    Run r =
        backtest("rules", "--from", dir.toString(), "--k8s-audit", audit.toString(), "--progress");

    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("Backtest of rules over");
    int[] stopped = row(r.out(), "cloudtrail-stopped");
    assertThat(stopped[4]).as("StopLogging and DeleteTrail, each once").isEqualTo(2);
    assertThat(stopped[1]).isEqualTo(2);
    int[] secret = row(r.out(), "untracked-secret");
    assertThat(secret[4]).isEqualTo(1);
    assertThat(secret[0]).isEqualTo(1);
    assertThat(row(r.out(), "etcd-control-files")[4]).isZero();
    assertThat(r.out()).contains("Examples:").contains("StopLogging").contains(stop);
    assertThat(r.err()).contains("\rreading [").contains("\rjudging [").contains("100%");
  }

  @Test
  void historyInS3IsReadUnderItsPrefix() throws IOException {
    S3MockServer s3 = S3MockServer.shared();
    String bucket = "backtest-" + UUID.randomUUID().toString().substring(0, 8);
    try (S3Client client =
        S3Client.builder()
            .endpointOverride(s3.endpoint())
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .build()) {
      client.createBucket(b -> b.bucket(bucket));
      String stop = UUID.randomUUID().toString();
      client.putObject(
          b ->
              b.bucket(bucket)
                  .key("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/12/02/x.json.gz"),
          RequestBody.fromBytes(logFile(stop)));
      client.putObject(
          b -> b.bucket(bucket).key("elsewhere/y.json.gz"),
          RequestBody.fromBytes(logFile(UUID.randomUUID().toString())));
      System.setProperty("aws.endpointUrlS3", s3.endpoint().toString());
      System.setProperty("aws.accessKeyId", "a");
      System.setProperty("aws.secretAccessKey", "b");
      try {
        Run r = backtest("rules", "--from", "s3://" + bucket + "/AWSLogs/");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(row(r.out(), "cloudtrail-stopped")[4]).isEqualTo(1);
        assertThat(r.out()).contains(stop).contains("over 2 events");
        assertThat(r.err()).doesNotContain("\r");
      } finally {
        System.clearProperty("aws.endpointUrlS3");
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
    }
  }

  @Test
  void theBundledPoliciesOverTheSharedCorpusPrintEveryPolicysCount() {
    Path corpus = Corpus.dir();
    Run r =
        backtest(
            "rules",
            "--from",
            corpus.resolve("cloudtrail").toString(),
            "--k8s-audit",
            corpus.resolve("k8saudit").toString(),
            "--progress");
    assertThat(r.code()).as(r.out()).isZero();
    for (String policy :
        List.of(
            "cloudtrail-stopped",
            "dns-weight-shift",
            "dns-zone-split-brain",
            "etcd-control-files",
            "manual-change",
            "untracked-secret")) {
      row(r.out(), policy);
    }
    assertThat(row(r.out(), "cloudtrail-stopped")[4]).isPositive();
    assertThat(r.err()).contains("100%");
    System.out.println(r.out());
  }

  @Test
  void withoutHistoryItSaysWhatItNeeds() {
    Run r = backtest("rules");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).contains("nothing to replay").contains("usage: backtest");
    Run missing = backtest("rules", "--from", "/no/such/folder");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.out()).contains("no file or folder at /no/such/folder");
  }

  @Test
  void cloudTrailsOwnHistoryIsReadThroughLookupEvents() throws IOException {
    try (dev.portcullis.testing.FakeCloudTrail fake = new dev.portcullis.testing.FakeCloudTrail()) {
      java.time.Instant now =
          java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      String recent = UUID.randomUUID().toString();
      String old = UUID.randomUUID().toString();
      for (String[] e :
          new String[][] {
            {recent, now.minusSeconds(7200).toString()},
            {old, now.minusSeconds(30 * 3600).toString()}
          }) {
        ObjectNode detail =
            (ObjectNode)
                JSON.readTree(
                        resource("intake/eventbridge-stop-logging.json").replace("${ID}", e[0]))
                    .path("detail");
        detail.put("eventTime", e[1]);
        fake.add(JSON.writeValueAsString(detail));
      }
      System.setProperty("aws.endpointUrlCloudtrail", fake.endpoint().toString());
      System.setProperty("aws.accessKeyId", "a");
      System.setProperty("aws.secretAccessKey", "b");
      try {
        Run r = backtest("rules", "--from", "lookup:24h");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(row(r.out(), "cloudtrail-stopped")[4]).isEqualTo(1);
        assertThat(r.out()).contains(recent).doesNotContain(old);
        // One call per event name the policies judge, within the API's limits.
        assertThat(fake.calls.stream().filter(c -> c.error() != null && !c.throttled())).isEmpty();
        assertThat(fake.mostAnsweredInOneSecond()).isLessThanOrEqualTo(2);
      } finally {
        System.clearProperty("aws.endpointUrlCloudtrail");
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
    }
    Run bad = backtest("rules", "--from", "lookup:yesterday");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.out()).contains("lookup: takes hours (lookup:24h)");
  }
}
