package dev.portcullis.intake.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.intake.IntakeWriter;
import dev.portcullis.testing.ElasticMqServer;
import dev.portcullis.testing.S3MockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.inject.Vetoed;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Passing failures, with the bridge built by hand around a fake {@link IntakeWriter} (so Kafka can
 * be "down") and the real SQS (ElasticMQ) and S3 (S3Mock) APIs: the message stays in the queue
 * while the failure lasts, and is deleted once the records are written.
 */
class CloudTrailS3BridgeFailureTest {

  static final String BUCKET = "portcullis-s3-failure-test";
  static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * Records what it is given; fails every write while Kafka is "down". Vetoed: it inherits
   * IntakeWriter's scope, and the Quarkus tests of the same run must not find it as a bean.
   */
  @Vetoed
  static class FakeWriter extends IntakeWriter {
    final AtomicBoolean up = new AtomicBoolean();
    final List<String> written = new CopyOnWriteArrayList<>();
    final List<String> deadLetters = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Void> write(String intake, String topic, String key, byte[] value) {
      if (!up.get()) {
        return CompletableFuture.failedFuture(new TimeoutException("Kafka is down"));
      }
      written.add(topic + "|" + key);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> deadLetter(
        String intake, String code, String reason, String location, String field, byte[] p) {
      if (!up.get()) {
        return CompletableFuture.failedFuture(new TimeoutException("Kafka is down"));
      }
      deadLetters.add(code + "|" + field + "|" + location);
      return CompletableFuture.completedFuture(null);
    }
  }

  CloudTrailS3Bridge bridge;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();
  FakeWriter writer = new FakeWriter();

  @AfterEach
  void stop() {
    if (bridge != null) {
      bridge.stop();
    }
  }

  CloudTrailS3Bridge bridge(String queueUrl, URI s3) {
    CloudTrailS3Bridge b = new CloudTrailS3Bridge();
    b.config = config(queueUrl, s3);
    b.portcullis = portcullis();
    b.writer = writer;
    b.registry = registry;
    b.start();
    return b;
  }

  double counter(String name, String tag, String value) {
    var c = registry.find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void whileKafkaIsDownTheMessageStaysAndIsDeletedOnceTheRecordsAreWritten() {
    S3MockServer s3 = S3MockServer.shared();
    CloudTrailS3BridgeTest.s3().createBucket(b -> b.bucket(BUCKET));
    String key = CloudTrailS3BridgeTest.key("kafka-down");
    CloudTrailS3BridgeTest.s3()
        .putObject(
            b -> b.bucket(BUCKET).key(key),
            RequestBody.fromBytes(CloudTrailS3BridgeTest.logFile("kafka-down")));
    ElasticMqServer sqs = ElasticMqServer.shared();
    String queue = sqs.createQueue("portcullis-s3-failure-kafka");
    sqs.client()
        .sendMessage(
            b ->
                b.queueUrl(queue)
                    .messageBody(
                        CloudTrailS3BridgeTest.s3Event(key)
                            .replace(CloudTrailS3BridgeTest.BUCKET, BUCKET)));
    bridge = bridge(queue, s3.endpoint());

    await()
        .atMost(WAIT)
        .until(() -> counter("portcullis.intake.s3.messages", "outcome", "retried") >= 2);
    assertThat(counter("portcullis.intake.s3.failures", "reason", "kafka"))
        .isGreaterThanOrEqualTo(2);
    assertThat(sqs.messagesIn(queue)).isEqualTo(1);
    assertThat(writer.written).isEmpty();

    writer.up.set(true);
    await().atMost(WAIT).until(() -> sqs.messagesIn(queue) == 0);

    assertThat(writer.written)
        .containsExactlyInAnyOrder(
            "portcullis.cloudtrail|kafka-down-0",
            "portcullis.cloudtrail|kafka-down-1",
            "portcullis.cloudtrail|kafka-down-2");
    assertThat(writer.deadLetters)
        .containsExactly("missing-field|userIdentity|s3://" + BUCKET + "/" + key + " Records[3]");
    await()
        .atMost(WAIT)
        .until(() -> counter("portcullis.intake.s3.messages", "outcome", "deleted") == 1);
  }

  @Test
  void whileS3CannotBeReachedTheMessageStaysAndShutdownIsPrompt() throws Exception {
    writer.up.set(true);
    URI nowhere;
    try (ServerSocket s = new ServerSocket(0)) {
      nowhere = URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
    ElasticMqServer sqs = ElasticMqServer.shared();
    String queue = sqs.createQueue("portcullis-s3-failure-s3");
    String key = CloudTrailS3BridgeTest.key("s3-down");
    sqs.client()
        .sendMessage(b -> b.queueUrl(queue).messageBody(CloudTrailS3BridgeTest.s3Event(key)));
    bridge = bridge(queue, nowhere);

    await()
        .atMost(WAIT)
        .until(() -> counter("portcullis.intake.s3.messages", "outcome", "retried") >= 1);
    assertThat(counter("portcullis.intake.s3.failures", "reason", "s3")).isGreaterThanOrEqualTo(1);
    assertThat(counter("portcullis.intake.s3.failures", "reason", "missing-object")).isZero();
    assertThat(sqs.messagesIn(queue)).isEqualTo(1);
    assertThat(writer.written).isEmpty();
    assertThat(writer.deadLetters).isEmpty();

    long start = System.nanoTime();
    bridge.stop();
    bridge = null;
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    // Still there for the next reader.
    assertThat(sqs.messagesIn(queue)).isEqualTo(1);
  }

  static S3BridgeConfig config(String queueUrl, URI s3) {
    return new S3BridgeConfig() {
      public Optional<String> queueUrl() {
        return Optional.of(queueUrl);
      }

      public String region() {
        return "us-east-1";
      }

      public Optional<URI> sqsEndpoint() {
        return Optional.of(ElasticMqServer.shared().endpoint());
      }

      public Optional<URI> s3Endpoint() {
        return Optional.of(s3);
      }

      public boolean s3PathStyle() {
        return true;
      }

      public Optional<String> accessKeyId() {
        return Optional.of("test");
      }

      public Optional<String> secretAccessKey() {
        return Optional.of("test");
      }

      public int concurrency() {
        return 2;
      }

      public int maxReceives() {
        return 5;
      }

      public Duration waitTime() {
        return Duration.ofSeconds(1);
      }

      public Duration visibilityTimeout() {
        return Duration.ofSeconds(30);
      }

      public Duration retryBackoff() {
        return Duration.ofMillis(1000);
      }

      public Duration maxRetryBackoff() {
        return Duration.ofSeconds(1);
      }

      public Duration timeout() {
        return Duration.ofSeconds(1);
      }

      public Duration stopTimeout() {
        return Duration.ofSeconds(2);
      }
    };
  }

  /** Only the topics and the size bound are read. */
  static PortcullisConfig portcullis() {
    PortcullisConfig.Topics topics =
        (PortcullisConfig.Topics)
            Proxy.newProxyInstance(
                PortcullisConfig.class.getClassLoader(),
                new Class<?>[] {PortcullisConfig.Topics.class},
                (p, m, a) -> m.getName().equals("cloudtrail") ? "portcullis.cloudtrail" : null);
    PortcullisConfig.Ingest ingest =
        (PortcullisConfig.Ingest)
            Proxy.newProxyInstance(
                PortcullisConfig.class.getClassLoader(),
                new Class<?>[] {PortcullisConfig.Ingest.class},
                (p, m, a) -> m.getName().equals("maxBytes") ? 16 * 1024 * 1024 : null);
    return (PortcullisConfig)
        Proxy.newProxyInstance(
            PortcullisConfig.class.getClassLoader(),
            new Class<?>[] {PortcullisConfig.class},
            (p, m, a) ->
                switch (m.getName()) {
                  case "topics" -> topics;
                  case "ingest" -> ingest;
                  default -> null;
                });
  }
}
