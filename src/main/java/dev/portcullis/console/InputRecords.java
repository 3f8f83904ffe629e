package dev.portcullis.console;

import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.ingest.KafkaBootstrap;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one input record back from its topic by the coordinates a decision record carries, so the
 * console can show the event a decision is about without keeping a copy of every event. Only the
 * input topics are read; the caller decodes the record, which removes secret values as on the
 * stream.
 */
@ApplicationScoped
public class InputRecords {

  /** What was read: the record's value, or why there is none. */
  public record Read(byte[] value, String problem) {}

  private static final Duration WAIT = Duration.ofSeconds(5);

  @Inject PortcullisConfig portcullis;
  @Inject KafkaBootstrap kafka;

  @Inject
  @Identifier("default-kafka-broker")
  Map<String, Object> kafkaConfig;

  /** The value of the record at the offset, if the topic is an input topic and still has it. */
  public Read read(String topic, int partition, long offset) {
    Set<String> inputs = Set.of(portcullis.topics().cloudtrail(), portcullis.topics().k8sAudit());
    if (!inputs.contains(topic)) {
      return new Read(null, "the console only reads back the input topics, not " + topic);
    }
    Properties p =
        ConsoleConsumers.reader(
            kafkaConfig,
            kafka.servers(),
            "portcullis-console-input-reader",
            ByteArrayDeserializer.class);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    TopicPartition tp = new TopicPartition(topic, partition);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.assign(List.of(tp));
      long first = consumer.beginningOffsets(List.of(tp), WAIT).getOrDefault(tp, 0L);
      if (offset < first) {
        return new Read(
            null,
            "the input record is no longer on "
                + topic
                + " (retention removed offsets before "
                + first
                + ")");
      }
      consumer.seek(tp, offset);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() == offset) {
            return new Read(r.value(), null);
          }
          if (r.offset() > offset) {
            return new Read(null, "the input record at offset " + offset + " is gone");
          }
        }
      }
      return new Read(null, "the input record could not be read within " + WAIT.toSeconds() + " s");
    } catch (KafkaException e) {
      return new Read(null, "the input topic cannot be read: " + e.getMessage());
    }
  }
}
