package dev.portcullis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.Corpus;
import dev.portcullis.testing.ElasticMqServer;
import dev.portcullis.testing.PackagedApp;
import dev.portcullis.testing.S3MockServer;
import dev.portcullis.testing.TempDirs;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Load run of the CloudTrail S3 bridge, next to the plain consume-and-produce loop in the same run
 * on the same broker.
 *
 * <ol>
 *   <li>An embedded KRaft broker (this JVM), warmed up; ElasticMQ (this JVM) with one queue; S3Mock
 *       (its own JVM) with one bucket holding F gzip log files of R records each, made from the
 *       shared corpus's CloudTrail records taken in turn, each with a unique event id.
 *   <li>The packaged Portcullis (its own JVM) with the bridge on (default concurrency) is started
 *       and ready; then F S3 event notifications are sent; the clock runs from the first send until
 *       the queue is empty (every message deleted, so every record acknowledged by Kafka).
 *   <li>Baseline: {@link LoadHarness#baseline} reads the records the bridge wrote and copies them
 *       to a sink topic (one thread, at least once).
 * </ol>
 *
 * Run: {@code ./mvnw -B -q -Pbench package -DskipTests exec:exec
 * -Dbench.main=dev.portcullis.bench.S3BridgeLoad -Dbench.args="200 100 30 4"} (files, records per
 * file, broker warm-up seconds, the bridge's concurrency).
 */
public final class S3BridgeLoad {

  static final String BUCKET = "s3bench-trail";
  static final String PREFIX = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/07/30/";

  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int perFile = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int warmUpSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    Path data = TempDirs.create("portcullis-s3-load");
    try (EmbeddedKafkaBroker broker =
            new EmbeddedKafkaBroker(0, data).start(Duration.ofSeconds(60));
        S3MockServer s3mock = S3MockServer.start(BUCKET)) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(
          List.of(
              LoadHarness.CLOUDTRAIL,
              LoadHarness.K8S,
              "s3bench.dead-letter",
              LoadHarness.SINK,
              "warmup"),
          LoadHarness.PARTITIONS);
      LoadHarness.log("warming the broker up for " + warmUpSeconds + " s");
      LoadHarness.warmUp(bootstrap, LoadHarness.corpus(), Duration.ofSeconds(warmUpSeconds));

      ElasticMqServer sqs = ElasticMqServer.shared();
      String queue = sqs.createQueue("s3bench");
      List<JsonNode> records = new ArrayList<>();
      for (Corpus.Line line : Corpus.lines("cloudtrail")) {
        records.add(LoadHarness.JSON.readTree(line.json()));
      }
      long compressed = 0;
      long json = 0;
      try (S3Client s3 = s3(s3mock.endpoint())) {
        for (int f = 0; f < files; f++) {
          ArrayNode list = LoadHarness.JSON.createArrayNode();
          for (int i = 0; i < perFile; i++) {
            int n = f * perFile + i;
            ObjectNode r = records.get(n % records.size()).deepCopy();
            r.put("eventID", "s3load-" + n);
            list.add(r);
          }
          byte[] plain =
              LoadHarness.JSON.writeValueAsBytes(
                  LoadHarness.JSON.createObjectNode().set("Records", list));
          byte[] gz = gzip(plain);
          json += plain.length;
          compressed += gz.length;
          String k = key(f);
          s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromBytes(gz));
        }
      }
      LoadHarness.log(
          String.format(
              "%d log files of %d records in S3: %.1f MB gzip, %.1f MB JSON",
              files, perFile, compressed / 1e6, json / 1e6));

      Map<String, String> env = LoadHarness.env(bootstrap, "s3bench", 1);
      env.put("PORTCULLIS_INTAKE_CLOUDTRAIL_S3_QUEUE_URL", queue);
      env.put("PORTCULLIS_INTAKE_CLOUDTRAIL_S3_SQS_ENDPOINT", sqs.endpoint().toString());
      env.put("PORTCULLIS_INTAKE_CLOUDTRAIL_S3_S3_ENDPOINT", s3mock.endpoint().toString());
      env.put("PORTCULLIS_INTAKE_CLOUDTRAIL_S3_S3_PATH_STYLE", "true");
      env.put("PORTCULLIS_INTAKE_CLOUDTRAIL_S3_CONCURRENCY", String.valueOf(concurrency));
      env.put("PORTCULLIS_INTAKE_CLOUDTRAIL_S3_ACCESS_KEY_ID", "bench");
      env.put("PORTCULLIS_INTAKE_CLOUDTRAIL_S3_SECRET_ACCESS_KEY", "bench");
      double seconds;
      double written;
      double refused;
      try (PackagedApp app = PackagedApp.start("s3bench", env, Duration.ofSeconds(120))) {
        long start = System.nanoTime();
        for (int f = 0; f < files; f += 10) {
          List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
          for (int i = f; i < Math.min(files, f + 10); i++) {
            batch.add(
                SendMessageBatchRequestEntry.builder()
                    .id("m" + i)
                    .messageBody(notification(key(i)))
                    .build());
          }
          sqs.client().sendMessageBatch(b -> b.queueUrl(queue).entries(batch));
        }
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofMinutes(30))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> sqs.messagesIn(queue) == 0);
        seconds = LoadHarness.seconds(System.nanoTime() - start);
        String metrics = get(app.url("/q/metrics"));
        written = metric(metrics, "portcullis_intake_s3_records_total", "outcome=\"written\"");
        refused = metric(metrics, "portcullis_intake_s3_records_total", "outcome=\"refused\"");
      }
      LoadHarness.log(
          String.format(
              "bridge: %d files, %.0f records written, %.0f refused in %.2f s",
              files, written, refused, seconds));
      double baseline = LoadHarness.baseline(bootstrap, (int) written);
      LoadHarness.log(String.format("baseline consume-and-produce: %.0f records/s", baseline));
      System.out.printf(
          "%n| run | log files/s | records/s | vs plain loop | MB/s (gzip) |%n|---|---|---|---|---|%n"
              + "| plain consume-and-produce, 1 thread | | %.0f | 1.00 | |%n"
              + "| S3 bridge, %d files x %d records, concurrency %d | %.1f | %.0f | %.2f | %.2f |%n",
          baseline,
          files,
          perFile,
          concurrency,
          files / seconds,
          (written + refused) / seconds,
          (written + refused) / seconds / baseline,
          compressed / 1e6 / seconds);
      System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }
    System.exit(0);
  }

  static String key(int f) {
    return PREFIX
        + String.format("111122223333_CloudTrail_us-east-1_20240730T2135Z_%05d.json.gz", f);
  }

  static String notification(String key) {
    return "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\","
        + "\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\""
        + BUCKET
        + "\"},\"object\":{\"key\":\""
        + key
        + "\"}}}]}";
  }

  static S3Client s3(URI endpoint) {
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build();
  }

  static byte[] gzip(byte[] plain) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  static String get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static double metric(String body, String name, String labels) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(name)
                    + "\\{[^}]*"
                    + Pattern.quote(labels)
                    + "[^}]*\\} (\\S+)$")
            .matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
