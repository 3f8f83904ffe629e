package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The state of every alert (one {@link AlertState} per dedup key), in memory and in a compacted
 * Kafka topic. At start it reads the topic to its end before any pending alert is handled, then
 * keeps reading it, so a restart remembers every open window and owed delivery, and so a partition
 * taken over from another instance comes with that instance's last word ({@link #catchUp}).
 *
 * <p>Every change goes through {@link #update}, which computes the next state from the current one
 * under one lock and writes it (version + 1); a copy read back from the topic replaces the one in
 * memory only when its version is higher, so an instance never goes back on its own later writes.
 * Not a general cache: only the instance that owns a key's partition changes that key.
 */
public final class AlertStateStore implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(AlertStateStore.class);
  private static final String VERSION_HEADER = "portcullis-version";

  private final String topic;
  private final ObjectMapper json;
  private final Map<String, Object> kafka;
  private final ConcurrentHashMap<String, AlertState> states = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final ConcurrentLinkedQueue<CatchUp> waiting = new ConcurrentLinkedQueue<>();
  private KafkaProducer<String, byte[]> producer;
  private Thread reader;
  private volatile boolean closed;
  private volatile String problem;

  private static final class CatchUp {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    Map<TopicPartition, Long> target;
  }

  /**
   * @param topic the compacted state topic
   * @param kafka Kafka client settings (bootstrap servers, security)
   */
  public AlertStateStore(String topic, ObjectMapper json, Map<String, Object> kafka) {
    this.topic = topic;
    this.json = json;
    this.kafka = Map.copyOf(kafka);
  }

  /** Starts reading the topic in the background; {@link #ready()} completes once it is read. */
  public AlertStateStore start() {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "portcullis-alert-state-writer");
    producer = new KafkaProducer<>(p);
    reader = new Thread(this::read, "portcullis-alert-state-reader");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  /** Completes once the whole topic was read at start. */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  /** Why the state is not read yet, or null. */
  public String problem() {
    return problem;
  }

  public AlertState get(String dedupKey) {
    return states.get(dedupKey);
  }

  public Collection<AlertState> all() {
    return List.copyOf(states.values());
  }

  /**
   * Changes one key's state atomically and writes it.
   *
   * @param change from the current state (or null) to the next; returning the same instance changes
   *     nothing, null forgets the key
   * @return completes when Kafka has the write
   */
  public CompletableFuture<Void> update(String dedupKey, UnaryOperator<AlertState> change) {
    synchronized (lock) {
      AlertState cur = states.get(dedupKey);
      AlertState next = change.apply(cur);
      if (next == cur) {
        return CompletableFuture.completedFuture(null);
      }
      long version = (cur == null ? 0 : cur.version()) + 1;
      if (next == null) {
        states.remove(dedupKey);
        return write(dedupKey, null, version);
      }
      next = next.withVersion(version);
      states.put(dedupKey, next);
      try {
        return write(dedupKey, json.writeValueAsBytes(next), version);
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  private CompletableFuture<Void> write(String key, byte[] value, long version) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    RecordHeaders h = new RecordHeaders();
    h.add(VERSION_HEADER, ByteBuffer.allocate(8).putLong(version).array());
    producer.send(
        new ProducerRecord<>(topic, null, key, value, h),
        (md, err) -> {
          if (err == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(err);
          }
        });
    return done;
  }

  /**
   * Forgets states nothing is owed on that did not change for {@code retention}; returns how many.
   */
  public int expire(Instant now, Duration retention) {
    int n = 0;
    for (AlertState s : all()) {
      if (s.owed().isEmpty()
          && s.updatedAt() != null
          && s.updatedAt().plus(retention).isBefore(now)) {
        update(s.dedupKey(), cur -> cur != null && cur.version() == s.version() ? null : cur);
        n++;
      }
    }
    return n;
  }

  /** Completes when everything written to the topic before this call has been read. */
  public CompletableFuture<Void> catchUp() {
    CatchUp c = new CatchUp();
    waiting.add(c);
    return c.done;
  }

  private void read() {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "portcullis-alert-state-reader");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    while (!closed) {
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo i : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
          parts.add(new TopicPartition(topic, i.partition()));
        }
        if (parts.isEmpty()) {
          throw new IllegalStateException("topic " + topic + " does not exist");
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
        while (!closed && !reached(consumer, end)) {
          apply(consumer.poll(Duration.ofMillis(200)));
        }
        if (!ready.isDone()) {
          problem = null;
          LOG.infof("Alert state: %d problems known from %s", states.size(), topic);
          ready.complete(null);
        }
        tail(consumer, parts);
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        problem = "cannot read " + topic + ": " + e.getMessage();
        LOG.warnf("Alert state: %s; retrying", problem);
        try {
          TimeUnit.SECONDS.sleep(2);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private void tail(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> parts) {
    while (!closed) {
      apply(consumer.poll(Duration.ofMillis(100)));
      if (!waiting.isEmpty()) {
        Map<TopicPartition, Long> end = null;
        for (CatchUp c : waiting) {
          if (c.target == null) {
            if (end == null) {
              end = consumer.endOffsets(parts, Duration.ofSeconds(10));
            }
            c.target = end;
          }
          if (reached(consumer, c.target)) {
            waiting.remove(c);
            c.done.complete(null);
          }
        }
      }
    }
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void apply(Iterable<ConsumerRecord<String, byte[]>> records) {
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.key() == null) {
        continue;
      }
      long version = version(r);
      AlertState read = null;
      if (r.value() != null) {
        try {
          read = json.readValue(r.value(), AlertState.class);
          version = read.version();
        } catch (Exception e) {
          LOG.warnf("Alert state: unreadable record for %s ignored: %s", r.key(), e.getMessage());
          continue;
        }
      }
      synchronized (lock) {
        AlertState cur = states.get(r.key());
        if (cur != null && cur.version() >= version && !(read == null && version < 0)) {
          continue; // ours is as new or newer (our own write coming back, usually)
        }
        if (read == null) {
          states.remove(r.key());
        } else {
          states.put(r.key(), read);
        }
      }
    }
  }

  private static long version(ConsumerRecord<?, ?> r) {
    Header h = r.headers().lastHeader(VERSION_HEADER);
    return h == null || h.value().length != 8 ? -1 : ByteBuffer.wrap(h.value()).getLong();
  }

  /** The Kafka client settings alerting's own clients use, from the connector's. */
  public static Map<String, Object> clientSettings(Map<String, Object> base, String servers) {
    Map<String, Object> m = new HashMap<>();
    base.forEach(
        (k, v) -> {
          if (v != null) {
            m.put(k, v);
          }
        });
    m.put("bootstrap.servers", servers);
    return m;
  }

  @Override
  public void close() {
    closed = true;
    if (reader != null) {
      try {
        reader.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    waiting.forEach(c -> c.done.cancel(false));
  }
}
