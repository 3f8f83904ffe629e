package dev.portcullis.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.ingest.KafkaBootstrap;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The console's view of the decisions topic: every instance reads all its partitions (no consumer
 * group, so N instances each see every decision), keeps the latest {@code
 * portcullis.console.recent} records in memory, counts decisions per policy per minute for the
 * charts, and hands each new record to the live streams ({@code GET /v1/decisions/stream}).
 *
 * <p>On start it reads back the last {@code portcullis.console.read-back} records of each
 * partition, so a restarted console is not empty. Records are kept as they are on the topic:
 * decision records carry no secret values (the decoder removed them before any policy saw the
 * event). A record that is not JSON is skipped and counted, never shown.
 */
@ApplicationScoped
public class RecentDecisions {

  private static final Logger LOG = Logger.getLogger(RecentDecisions.class);

  /** Minutes of per-policy decision counts kept for the charts. */
  static final int CHART_MINUTES = 60;

  /**
   * One record of the decisions topic.
   *
   * @param seq the order in which this instance read it (for the live stream's resume)
   * @param id the record's event id (its key)
   * @param record the decision record as written
   * @param partition its partition on the decisions topic
   * @param offset its offset there
   * @param inputTopic the input topic of the event it decides, when the stream decided it
   * @param inputPartition the input record's partition
   * @param inputOffset the input record's offset
   */
  public record Entry(
      long seq,
      String id,
      JsonNode record,
      int partition,
      long offset,
      String inputTopic,
      Integer inputPartition,
      Long inputOffset) {

    String text(String field) {
      JsonNode n = record.get(field);
      return n == null || n.isNull() ? null : n.asText();
    }

    /** The event this record is about when it is not its own (a revert's {@code revertOf}). */
    String about() {
      for (JsonNode d : record.path("decisions")) {
        JsonNode of = d.path("details").get("revertOf");
        if (of != null && of.isTextual()) {
          return of.asText();
        }
      }
      return null;
    }
  }

  @Inject ConsoleConfig config;
  @Inject PortcullisConfig portcullis;
  @Inject KafkaBootstrap kafka;
  @Inject ObjectMapper json;

  @Inject
  @Identifier("default-kafka-broker")
  Map<String, Object> kafkaConfig;

  private final ArrayDeque<Entry> recent = new ArrayDeque<>();
  private final Map<String, List<Entry>> byEvent = new HashMap<>();
  private final TreeMap<Long, Map<String, Integer>> perMinute = new TreeMap<>();
  private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
  private long seq;
  private long unreadable;
  private volatile boolean closed;
  private volatile String problem = "not started";
  private Thread reader;
  private volatile KafkaConsumer<String, byte[]> consumer;

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 30) StartupEvent ev) {
    if (!config.enabled()) {
      problem = "the console does not read decisions (portcullis.console.enabled=false)";
      return;
    }
    reader = new Thread(this::read, "portcullis-console-decisions");
    reader.setDaemon(true);
    reader.start();
  }

  void onStop(@Observes ShutdownEvent ev) {
    closed = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup(); // ends a poll in progress; the reader then closes the consumer itself
    }
  }

  /** Why the console shows no live decisions, or null while it reads them. */
  public String problem() {
    return problem;
  }

  /** The latest records matching the filter, newest first. */
  public synchronized List<Entry> latest(Predicate<Entry> filter, int limit) {
    List<Entry> out = new ArrayList<>();
    Iterator<Entry> it = recent.descendingIterator();
    while (it.hasNext() && out.size() < limit) {
      Entry e = it.next();
      if (filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Records kept that are about the event: its own decision, reverts of it, later decisions. */
  public synchronized List<Entry> about(String eventId) {
    return List.copyOf(byEvent.getOrDefault(eventId, List.of()));
  }

  /** Decisions per policy (a record without findings counts as {@code none}) per minute. */
  public synchronized Map<Instant, Map<String, Integer>> perMinute() {
    Map<Instant, Map<String, Integer>> out = new LinkedHashMap<>();
    perMinute.forEach((m, counts) -> out.put(Instant.ofEpochSecond(m * 60), Map.copyOf(counts)));
    return out;
  }

  /** Records read that were not JSON (skipped). */
  public synchronized long unreadable() {
    return unreadable;
  }

  /** Calls the listener with every record read from now on, until it is removed. */
  public Runnable listen(Consumer<Entry> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Adds one record as read from the topic (package-private for tests). */
  void add(String key, byte[] value, int partition, long offset, Iterable<Header> headers) {
    JsonNode record;
    try {
      record = json.readTree(value);
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        unreadable++;
      }
      return;
    }
    if (record == null || !record.isObject()) {
      synchronized (this) {
        unreadable++;
      }
      return;
    }
    String inputTopic = null;
    Integer inputPartition = null;
    Long inputOffset = null;
    for (Header h : headers) {
      String v = h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
      try {
        switch (h.key()) {
          case "input-topic" -> inputTopic = v;
          case "input-partition" -> inputPartition = v == null ? null : Integer.valueOf(v);
          case "input-offset" -> inputOffset = v == null ? null : Long.valueOf(v);
          default -> {}
        }
      } catch (NumberFormatException e) {
        // A header we cannot read only means the input event cannot be shown.
      }
    }
    String id = key != null ? key : record.path("eventId").asText(null);
    Entry entry;
    synchronized (this) {
      entry =
          new Entry(++seq, id, record, partition, offset, inputTopic, inputPartition, inputOffset);
      recent.addLast(entry);
      index(entry, true);
      while (recent.size() > Math.max(1, config.recent())) {
        index(recent.removeFirst(), false);
      }
      count(entry);
    }
    for (Consumer<Entry> l : listeners) {
      try {
        l.accept(entry);
      } catch (RuntimeException e) {
        LOG.debugf("A live decision stream failed: %s", e.getMessage());
      }
    }
  }

  private void index(Entry e, boolean add) {
    for (String k : new String[] {e.id(), e.about()}) {
      if (k == null) {
        continue;
      }
      if (add) {
        byEvent.computeIfAbsent(k, x -> new ArrayList<>(2)).add(e);
      } else {
        List<Entry> l = byEvent.get(k);
        if (l != null) {
          l.remove(e);
          if (l.isEmpty()) {
            byEvent.remove(k);
          }
        }
      }
    }
  }

  private void count(Entry e) {
    Instant at = instant(e.text("decidedAt"));
    if (at == null) {
      return;
    }
    long minute = at.getEpochSecond() / 60;
    long newest = Instant.now().truncatedTo(ChronoUnit.MINUTES).getEpochSecond() / 60;
    if (minute <= newest - CHART_MINUTES || minute > newest + 1) {
      return;
    }
    Map<String, Integer> counts = perMinute.computeIfAbsent(minute, m -> new TreeMap<>());
    JsonNode ds = e.record().path("decisions");
    if (ds.isEmpty()) {
      counts.merge("none", 1, Integer::sum);
    }
    for (JsonNode d : ds) {
      counts.merge(d.path("policy").asText("unknown"), 1, Integer::sum);
    }
    while (!perMinute.isEmpty() && perMinute.firstKey() <= newest - CHART_MINUTES) {
      perMinute.pollFirstEntry();
    }
  }

  private static Instant instant(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void read() {
    String topic = portcullis.topics().decisions();
    Properties p =
        ConsoleConsumers.reader(
            kafkaConfig, kafka.servers(), "portcullis-console-decisions", StringDeserializer.class);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    while (!closed) {
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
        this.consumer = consumer;
        if (closed) {
          return;
        }
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo i : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
          parts.add(new TopicPartition(topic, i.partition()));
        }
        if (parts.isEmpty()) {
          throw new IllegalStateException("the topic " + topic + " does not exist yet");
        }
        consumer.assign(parts);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        for (TopicPartition tp : parts) {
          long from = Math.max(begin.getOrDefault(tp, 0L), end.get(tp) - config.readBack());
          consumer.seek(tp, from);
        }
        problem = null;
        while (!closed) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
            add(r.key(), r.value(), r.partition(), r.offset(), r.headers());
          }
        }
      } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
        return;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        problem = "cannot read " + topic + ": " + e.getMessage();
        LOG.warnf("Console: %s; retrying", problem);
        try {
          TimeUnit.SECONDS.sleep(2);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }
}
