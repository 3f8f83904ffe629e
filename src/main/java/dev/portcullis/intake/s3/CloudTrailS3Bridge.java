package dev.portcullis.intake.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.AwsCredentials;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.RecordChecks;
import dev.portcullis.event.SecretRedactor;
import dev.portcullis.ingest.DeadLetters;
import dev.portcullis.intake.IntakeWriter;
import dev.portcullis.intake.s3.LogFileNotifications.Notification;
import dev.portcullis.intake.s3.LogFileNotifications.S3Object;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Reads CloudTrail log files from S3 as CloudTrail delivers them, and writes their records to the
 * CloudTrail topic.
 *
 * <p>In: notifications from an SQS queue (long polling), in any of the shapes {@link
 * LogFileNotifications} reads; for each CloudTrail log file a notification names, the file (S3
 * GetObject, gunzipped, at most {@code portcullis.ingest.max-bytes}). Out, through {@link
 * IntakeWriter}: each record that passes {@link RecordChecks#cloudTrailRecord} with its secret
 * material removed, as its own Kafka record keyed by eventID, to {@code
 * portcullis.topics.cloudtrail}; each refused record, a poison file (not gzip, not JSON, no {@code
 * Records} list) and an object still missing after {@code max-receives} to the dead-letter topic,
 * with the reason and {@code s3://bucket/key Records[i]} as location.
 *
 * <p>A message is deleted only once every write for every file in it was acknowledged by Kafka.
 * When a file fails for a passing reason (S3 unreachable or 5xx, Kafka down, an object not there
 * yet), the message stays in the queue and comes back after a back-off (its visibility timeout,
 * doubling per receive): at least once, so a redelivered file writes its records again, and the
 * stream's dedup memory drops them by event id. At most {@code concurrency} files are in flight; on
 * shutdown the poller stops and the files in flight are given {@code stop-timeout} to finish.
 */
@ApplicationScoped
public class CloudTrailS3Bridge {

  /** The intake's name on dead letters and in {@code portcullis.intake.records}. */
  public static final String INTAKE = "cloudtrail-s3";

  /** Dead-letter code of an object still missing after {@code max-receives}. */
  public static final String MISSING_OBJECT = "missing-object";

  private static final Logger LOG = Logger.getLogger(CloudTrailS3Bridge.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What became of one file. */
  enum FileOutcome {
    /** Written or dead-lettered, acknowledged: the message may go as far as this file goes. */
    DONE,
    /** Failed for a passing reason: the message must come back. */
    RETRY
  }

  @Inject S3BridgeConfig config;
  @Inject PortcullisConfig portcullis;
  @Inject IntakeWriter writer;
  @Inject MeterRegistry registry;

  private volatile boolean running;
  private SqsClient sqs;
  private S3Client s3;
  private S3BridgeMetrics metrics;
  private ExecutorService files;
  private ExecutorService acks;
  private Semaphore permits;
  private Thread poller;
  private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();

  void onStart(@Observes StartupEvent event) {
    if (config.queueUrl().isEmpty()) {
      return;
    }
    start();
  }

  void onStop(@Observes ShutdownEvent event) {
    stop();
  }

  synchronized void start() {
    String url = config.queueUrl().orElseThrow();
    metrics = new S3BridgeMetrics(registry);
    sqs = sqsClient(config);
    s3 = s3Client(config);
    int n = Math.max(1, config.concurrency());
    permits = new Semaphore(n);
    files = Executors.newFixedThreadPool(n, named("portcullis-s3-file"));
    acks = Executors.newSingleThreadExecutor(named("portcullis-s3-ack"));
    running = true;
    poller = named("portcullis-s3-poll").newThread(() -> poll(url));
    poller.start();
    LOG.infof(
        "CloudTrail S3 bridge on: queue %s, region %s, %d files at once", url, config.region(), n);
  }

  synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    poller.interrupt();
    long deadline = System.nanoTime() + config.stopTimeout().toNanos();
    try {
      poller.join(config.stopTimeout().toMillis());
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Messages not deleted by now come back to whoever reads the queue next.
      LOG.warnf("CloudTrail S3 bridge stopped with %d messages unfinished", pending.size());
    }
    files.shutdownNow();
    acks.shutdown();
    try {
      acks.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sqs.close();
    s3.close();
  }

  private void poll(String url) {
    int failures = 0;
    int batch = Math.min(10, Math.max(1, config.concurrency()));
    while (running) {
      List<Message> messages;
      try {
        // Take no more than can start soon: the rest would wait out their visibility here.
        permits.acquire();
        permits.release();
        messages =
            sqs.receiveMessage(
                    r ->
                        r.queueUrl(url)
                            .maxNumberOfMessages(
                                Math.max(1, Math.min(batch, permits.availablePermits())))
                            .waitTimeSeconds((int) Math.min(20, config.waitTime().toSeconds()))
                            .visibilityTimeout((int) config.visibilityTimeout().toSeconds())
                            .messageSystemAttributeNames(
                                MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                MessageSystemAttributeName.SENT_TIMESTAMP))
                .messages();
        failures = 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (SdkException e) {
        if (!running) {
          return;
        }
        metrics.failure("sqs");
        Duration wait = backoff(++failures);
        LOG.warnf("Cannot read the SQS queue (%s); again in %s", e.getMessage(), wait);
        if (!sleep(wait)) {
          return;
        }
        continue;
      }
      for (Message m : messages) {
        try {
          handle(url, m);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void handle(String url, Message m) throws InterruptedException {
    String receipt = m.receiptHandle();
    int receives = intAttribute(m, MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, 1);
    metrics.received(receipt, longAttribute(m, MessageSystemAttributeName.SENT_TIMESTAMP));
    Notification n = LogFileNotifications.parse(m.body());
    metrics.shape(n.shape());
    List<S3Object> logs = new ArrayList<>();
    for (S3Object o : n.objects()) {
      if (LogFileNotifications.isLogFile(o.key())) {
        logs.add(o);
      } else {
        metrics.fileSkipped();
      }
    }
    if (logs.isEmpty()) {
      String why = n.ignored() ? n.shape().tag() : "not-a-log-file";
      if (n.shape() == LogFileNotifications.Shape.UNKNOWN) {
        // Not ours to judge, but not silently gone: the message goes to the dead-letter topic
        // first.
        LOG.warnf(
            "An SQS message that is no known notification goes to the dead-letter topic: %s",
            n.detail());
        CompletableFuture<Void> dead =
            writer
                .deadLetter(
                    INTAKE,
                    InvalidEventException.UNSUPPORTED_SHAPE,
                    "an SQS message that is no S3, SNS, EventBridge or CloudTrail notification of a"
                        + " log file: "
                        + n.detail(),
                    "sqs:" + m.messageId(),
                    null,
                    DeadLetters.scrub(
                        m.body() == null ? new byte[0] : m.body().getBytes(StandardCharsets.UTF_8),
                        JSON))
                .thenAcceptAsync(
                    v -> {
                      if (delete(url, receipt)) {
                        metrics.ignored(receipt, why);
                      }
                    },
                    acks)
                .exceptionally(
                    e -> {
                      retryLater(url, receipt, receives);
                      return null;
                    });
        pending.add(dead);
        dead.whenComplete((v, e) -> pending.remove(dead));
        return;
      }
      if (delete(url, receipt)) {
        metrics.ignored(receipt, why);
      }
      return;
    }
    List<CompletableFuture<FileOutcome>> outcomes = new ArrayList<>();
    for (S3Object o : logs) {
      permits.acquire();
      CompletableFuture<FileOutcome> f =
          CompletableFuture.supplyAsync(() -> readFile(o, receives), files)
              .thenCompose(x -> x)
              .exceptionally(
                  e -> {
                    metrics.failure("internal");
                    LOG.errorf(e, "Reading %s failed", o.uri());
                    return FileOutcome.RETRY;
                  });
      f.whenComplete((x, e) -> permits.release());
      outcomes.add(f);
    }
    CompletableFuture<Void> message =
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
            .thenAcceptAsync(
                v -> {
                  if (outcomes.stream().allMatch(o -> o.join() == FileOutcome.DONE)) {
                    if (delete(url, receipt)) {
                      metrics.deleted(receipt);
                    }
                  } else {
                    retryLater(url, receipt, receives);
                  }
                },
                acks);
    pending.add(message);
    message.whenComplete((v, e) -> pending.remove(message));
  }

  /** Reads one log file and writes its records; completes when Kafka acknowledged them all. */
  private CompletableFuture<FileOutcome> readFile(S3Object o, int receives) {
    String uri = o.uri();
    byte[] compressed;
    int max = portcullis.ingest().maxBytes();
    try (ResponseInputStream<GetObjectResponse> in =
        s3.getObject(b -> b.bucket(o.bucket()).key(o.key()))) {
      compressed = in.readNBytes(max + 1);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return missing(o, receives, e);
      }
      return transientFailure("s3", uri, e);
    } catch (SdkException | IOException | UncheckedIOException e) {
      return transientFailure("s3", uri, e);
    }
    JsonNode root;
    byte[] json;
    try {
      json = gunzip(compressed, max);
      root = parse(json);
    } catch (InvalidEventException e) {
      metrics.failure(e.reason());
      LOG.warnf("%s is not a CloudTrail log file: %s", uri, e.getMessage());
      return deadLetter(
          e.reason(), "not a CloudTrail log file: " + e.getMessage(), uri, e.field(), o);
    }
    metrics.fileRead(compressed.length, json.length);
    JsonNode records = root.get("Records");
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    int written = 0;
    int refused = 0;
    String topic = portcullis.topics().cloudtrail();
    for (int i = 0; i < records.size(); i++) {
      JsonNode record = records.get(i);
      String location = uri + " Records[" + i + "]";
      try {
        if (!record.isObject()) {
          throw new InvalidEventException(
              InvalidEventException.INVALID_RECORD,
              "Records[" + i + "] of a CloudTrail log file is not an object");
        }
        RecordChecks.cloudTrailRecord(record, true);
        SecretRedactor.redact(record);
        JsonNode id = record.get("eventID");
        writes.add(
            writer.write(
                INTAKE, topic, id == null ? null : id.asText(), JSON.writeValueAsBytes(record)));
        written++;
      } catch (InvalidEventException e) {
        SecretRedactor.redact(record);
        writes.add(
            writer.deadLetter(
                INTAKE, e.reason(), e.getMessage(), location, e.field(), bytes(record)));
        refused++;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    int w = written;
    int r = refused;
    return IntakeWriter.all(writes)
        .handle(
            (v, e) -> {
              if (e != null) {
                return kafkaFailure(uri, e);
              }
              metrics.recordsWritten(w);
              metrics.recordsRefused(r);
              return FileOutcome.DONE;
            });
  }

  private CompletableFuture<FileOutcome> missing(S3Object o, int receives, S3Exception e) {
    metrics.failure(MISSING_OBJECT);
    if (receives < config.maxReceives()) {
      LOG.infof(
          "%s is not there (receive %d of %d); trying again later",
          o.uri(), receives, config.maxReceives());
      return CompletableFuture.completedFuture(FileOutcome.RETRY);
    }
    return deadLetter(
        MISSING_OBJECT,
        "the object is not in the bucket after "
            + receives
            + " receives of its notification: "
            + e.awsErrorDetails().errorCode(),
        o.uri(),
        null,
        o);
  }

  private CompletableFuture<FileOutcome> deadLetter(
      String code, String reason, String location, String field, S3Object o) {
    ObjectNode payload = JSON.createObjectNode().put("bucket", o.bucket()).put("key", o.key());
    payload.put("reason", reason);
    return writer
        .deadLetter(INTAKE, code, reason, location, field, bytes(payload))
        .handle((v, e) -> e == null ? FileOutcome.DONE : kafkaFailure(location, e));
  }

  private FileOutcome kafkaFailure(String uri, Throwable e) {
    metrics.failure("kafka");
    LOG.warnf(
        "Kafka did not take the records of %s (%s); the message comes back", uri, e.getMessage());
    return FileOutcome.RETRY;
  }

  private CompletableFuture<FileOutcome> transientFailure(String reason, String uri, Exception e) {
    metrics.failure(reason);
    LOG.warnf("Cannot read %s (%s); the message comes back", uri, e.getMessage());
    return CompletableFuture.completedFuture(FileOutcome.RETRY);
  }

  /** Gunzips a log file, at most {@code max} bytes either way. */
  static byte[] gunzip(byte[] compressed, int max) throws InvalidEventException {
    if (compressed.length > max) {
      throw new InvalidEventException(
          InvalidEventException.TOO_LARGE, "the file is larger than " + max + " bytes");
    }
    if (compressed.length < 2 || (compressed[0] & 0xff) != 0x1f || (compressed[1] & 0xff) != 0x8b) {
      throw new InvalidEventException(InvalidEventException.BAD_GZIP, "the file is not gzip");
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
      byte[] json = in.readNBytes(max + 1);
      if (json.length > max) {
        throw new InvalidEventException(
            InvalidEventException.TOO_LARGE,
            "the file decompresses to more than " + max + " bytes");
      }
      return json;
    } catch (IOException e) {
      throw new InvalidEventException(
          InvalidEventException.BAD_GZIP, "the file does not decompress: " + e.getMessage(), e);
    }
  }

  /** A log file's JSON: an object with a {@code Records} list. */
  static JsonNode parse(byte[] json) throws InvalidEventException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new InvalidEventException(InvalidEventException.NOT_JSON, "the file is not JSON", e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidEventException(
          InvalidEventException.UNSUPPORTED_SHAPE, "the file is not a JSON object");
    }
    JsonNode records = root.get("Records");
    if (records == null || !records.isArray()) {
      throw new InvalidEventException(
          InvalidEventException.UNSUPPORTED_SHAPE, "the file has no Records list", "Records");
    }
    return root;
  }

  private boolean delete(String url, String receipt) {
    try {
      sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(receipt));
      return true;
    } catch (SdkException e) {
      // The message comes back after its visibility timeout and is read again: at least once.
      metrics.failure("sqs");
      metrics.retried(receipt);
      LOG.warnf("Cannot delete an SQS message (%s); it will be read again", e.getMessage());
      return false;
    }
  }

  private void retryLater(String url, String receipt, int receives) {
    metrics.retried(receipt);
    Duration wait = backoff(receives);
    try {
      sqs.changeMessageVisibility(
          r ->
              r.queueUrl(url)
                  .receiptHandle(receipt)
                  .visibilityTimeout((int) Math.max(0, wait.toSeconds())));
    } catch (SdkException e) {
      // Then it comes back after the visibility timeout it was received with.
      metrics.failure("sqs");
      LOG.warnf("Cannot change an SQS message's visibility (%s)", e.getMessage());
    }
  }

  /** {@code retry-backoff} doubled per earlier attempt, at most {@code max-retry-backoff}. */
  Duration backoff(int attempt) {
    Duration d = config.retryBackoff().multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
    Duration max = config.maxRetryBackoff();
    // SQS's own ceiling for a visibility timeout is 12 hours.
    Duration ceiling = max.compareTo(Duration.ofHours(12)) > 0 ? Duration.ofHours(12) : max;
    return d.compareTo(ceiling) > 0 ? ceiling : d;
  }

  private boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int intAttribute(Message m, MessageSystemAttributeName name, int fallback) {
    String v = m.attributes().get(name);
    try {
      return v == null ? fallback : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static long longAttribute(Message m, MessageSystemAttributeName name) {
    String v = m.attributes().get(name);
    try {
      return v == null ? 0 : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** The SQS client: region, endpoint, credentials; the long poll fits in its call timeout. */
  static SqsClient sqsClient(S3BridgeConfig config) {
    Duration call = config.timeout().plus(config.waitTime());
    SqsClientBuilder b =
        SqsClient.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(credentials(config))
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(config.timeout())
                    .socketTimeout(call))
            .overrideConfiguration(
                o ->
                    o.apiCallTimeout(call)
                        .apiCallAttemptTimeout(call)
                        .retryStrategy(r -> r.maxAttempts(3)));
    config.sqsEndpoint().ifPresent(b::endpointOverride);
    return b.build();
  }

  /** The S3 client: region, endpoint, addressing, credentials, timeouts. */
  static S3Client s3Client(S3BridgeConfig config) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(config.region()))
            .forcePathStyle(config.s3PathStyle())
            .credentialsProvider(credentials(config))
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(config.timeout())
                    .socketTimeout(config.timeout()))
            .overrideConfiguration(
                o -> o.apiCallTimeout(config.timeout()).retryStrategy(r -> r.maxAttempts(3)));
    config.s3Endpoint().ifPresent(b::endpointOverride);
    return b.build();
  }

  private static AwsCredentialsProvider credentials(S3BridgeConfig config) {
    return AwsCredentials.of(
        "portcullis.intake.cloudtrail-s3", config.accessKeyId(), config.secretAccessKey());
  }
}
