package dev.portcullis.intake;

import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.ingest.KafkaBootstrap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes what the intakes receive (the audit webhook, EventBridge, the S3 bridge) to the input
 * topics, and what they refuse to the dead-letter topic, and tells when Kafka has it: an intake
 * answers its sender, or deletes its queue message, only after every record of the request is
 * acknowledged ({@code acks=all}, idempotent), so the sender's own retry covers a Kafka outage.
 *
 * <p>One producer for all intakes, created on first use; records are batched and lz4-compressed.
 */
@ApplicationScoped
public class IntakeWriter {

  @Inject KafkaBootstrap bootstrap;
  @Inject PortcullisConfig config;
  @Inject MeterRegistry registry;

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private volatile KafkaProducer<byte[], byte[]> producer;

  /** Writes one accepted record to an input topic; completes when Kafka acknowledged it. */
  public CompletableFuture<Void> write(String intake, String topic, String key, byte[] value) {
    return write(intake, topic, key, value, Map.of());
  }

  /** Writes one accepted record with headers; completes when Kafka acknowledged it. */
  public CompletableFuture<Void> write(
      String intake, String topic, String key, byte[] value, Map<String, String> headers) {
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    RecordHeaders h = new RecordHeaders();
    headers.forEach((name, v) -> header(h, name, v));
    return send(new ProducerRecord<byte[], byte[]>(topic, null, k, value, h))
        .thenRun(() -> count(intake, "accepted"));
  }

  /**
   * Writes a refused input to the dead-letter topic with the headers the stream's dead letters
   * carry ({@code dead-letter-code}, {@code -reason}, {@code -location}, {@code -field}) and {@code
   * dead-letter-intake}; completes when Kafka acknowledged it.
   *
   * @param payload the refused part, secret material already removed
   */
  public CompletableFuture<Void> deadLetter(
      String intake, String code, String reason, String location, String field, byte[] payload) {
    RecordHeaders h = new RecordHeaders();
    header(h, "dead-letter-code", code);
    header(h, "dead-letter-reason", reason);
    header(h, "dead-letter-location", location);
    header(h, "dead-letter-field", field);
    header(h, "dead-letter-intake", intake);
    byte[] value = payload == null ? new byte[0] : payload;
    return send(new ProducerRecord<byte[], byte[]>(
            config.topics().deadLetter(), null, (byte[]) null, value, h))
        .thenRun(() -> count(intake, "dead-letter"));
  }

  /** Completes when all complete; exceptionally with the first failure. */
  public static CompletableFuture<Void> all(List<CompletableFuture<Void>> writes) {
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> send(ProducerRecord<byte[], byte[]> record) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      producer()
          .send(
              record,
              (meta, error) -> {
                if (error != null) {
                  done.completeExceptionally(error);
                } else {
                  done.complete(null);
                }
              });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private KafkaProducer<byte[], byte[]> producer() {
    KafkaProducer<byte[], byte[]> p = producer;
    if (p == null) {
      synchronized (this) {
        p = producer;
        if (p == null) {
          Properties props = new Properties();
          props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.servers());
          props.put(ProducerConfig.CLIENT_ID_CONFIG, "portcullis-intake");
          props.put(ProducerConfig.ACKS_CONFIG, "all");
          props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
          props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
          props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
          props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.ingest().maxBytes() + 65536);
          // A sender waits for the answer: fail within its own timeout rather than block on.
          props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
          props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
          props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
          p = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
          producer = p;
        }
      }
    }
    return p;
  }

  private void count(String intake, String outcome) {
    counters
        .computeIfAbsent(
            intake + "|" + outcome,
            k ->
                Counter.builder("portcullis.intake.records")
                    .description(
                        "Records taken in by an intake: written to an input topic (accepted) or"
                            + " refused to the dead-letter topic")
                    .tag("intake", intake)
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  private static void header(RecordHeaders h, String name, String value) {
    if (value != null) {
      h.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Closes the producer before the embedded broker stops (KafkaBootstrap stops it last). */
  void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
    close();
  }

  @PreDestroy
  synchronized void close() {
    KafkaProducer<byte[], byte[]> p = producer;
    if (p != null) {
      producer = null;
      p.close(Duration.ofSeconds(5));
    }
  }
}
