package dev.portcullis.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one topic from its beginning in the background and keeps every record, so a test can wait
 * for the records it caused (by key or content) and count them, whatever other tests wrote.
 */
public final class TopicWatcher implements AutoCloseable {

  /** A record as read. */
  public record Record(
      String key, String value, byte[] rawValue, Map<String, String> headers, int partition) {}

  private final List<Record> records = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  public TopicWatcher(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // What a user of the topic sees: the stream writes in transactions.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
    List<TopicPartition> parts = new ArrayList<>();
    consumer
        .partitionsFor(topic, Duration.ofSeconds(30))
        .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (running.get()) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Map<String, String> headers = new ConcurrentHashMap<>();
                    for (Header h : r.headers()) {
                      headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                    }
                    records.add(
                        new Record(
                            r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                            r.value() == null
                                ? null
                                : new String(r.value(), StandardCharsets.UTF_8),
                            r.value(),
                            headers,
                            r.partition()));
                  }
                }
              }
            },
            "watch-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  public List<Record> matching(Predicate<Record> p) {
    return records.stream().filter(p).toList();
  }

  public List<Record> withKey(String key) {
    return matching(r -> key.equals(r.key()));
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(5000);
  }
}
