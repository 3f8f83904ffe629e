package dev.portcullis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.Corpus;
import dev.portcullis.testing.PackagedApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Load run through a real broker: the packaged Portcullis next to a plain consume-and-produce loop
 * over the same records, in the same run, on the same broker.
 *
 * <ol>
 *   <li>An embedded KRaft broker (this JVM) is warmed up, then loaded with N corpus events (the
 *       shared corpus taken in turn, each with a fresh unique id so nothing is a duplicate).
 *   <li>Baseline: one thread, kafka-clients, reads both input topics and writes every record to a
 *       sink topic, at least once (flush, then commit, after each poll).
 *   <li>Portcullis: the packaged jar (separate JVM) reads the same records from offset 0 and writes
 *       its decisions; throughput is counted on the decisions topic's end offsets.
 *   <li>Latency: with Portcullis caught up, events are produced at a fixed rate and the decision
 *       records' {@code decidedAt - receivedAt} (Kafka record time to decision) gives p50/p99.
 * </ol>
 *
 * Run: {@code ./mvnw -B -q -Pbench package -DskipTests exec:exec
 * -Dbench.main=dev.portcullis.bench.LoadHarness -Dbench.args="200000 2000"} (records, fixed rate
 * per second).
 */
public final class LoadHarness {

  static final String CLOUDTRAIL = "portcullis.cloudtrail";
  static final String K8S = "portcullis.k8s-audit";
  static final String DECISIONS = "portcullis.decisions";
  static final String SINK = "baseline.sink";
  static final ObjectMapper JSON = new ObjectMapper();

  record Input(String topic, byte[] key, byte[] value) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int warmUpSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    Path data = Files.createTempDirectory("portcullis-load");
    try (EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker(0, data).start(Duration.ofSeconds(60))) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(
          List.of(CLOUDTRAIL, K8S, DECISIONS, "portcullis.dead-letter", SINK, "warmup"), 4);
      List<Input> corpus = corpus();

      log("warming the broker up for " + warmUpSeconds + " s");
      warmUp(bootstrap, corpus, Duration.ofSeconds(warmUpSeconds));

      List<Input> records = renumber(corpus, n, "load-");
      long t = System.nanoTime();
      produce(bootstrap, records);
      double produceRate = n / seconds(System.nanoTime() - t);
      log(String.format("produced %d records at %.0f records/s", n, produceRate));

      double baseline = baseline(bootstrap, n);
      log(String.format("baseline consume-and-produce: %.0f records/s", baseline));

      Map<String, String> env = new java.util.HashMap<>();
      env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
      env.put("QUARKUS_LOG_CATEGORY__DEV_PORTCULLIS__LEVEL", "WARN");
      String jfr = System.getenv("BENCH_JFR"); // profile the service: a JFR file name
      if (jfr != null) {
        env.put(
            "JAVA_TOOL_OPTIONS",
            "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
      }
      try (PackagedApp app = PackagedApp.start("load-portcullis", env, Duration.ofSeconds(120))) {
        double portcullis = throughput(bootstrap, n, Duration.ofMinutes(10));
        log(String.format("Portcullis end to end: %.0f events/s", portcullis));

        List<Input> paced = renumber(corpus, rate * 30, "paced-");
        long[] lat = latency(bootstrap, paced, rate);
        log(
            String.format(
                "at %d events/s for 30 s: decision latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)",
                rate, lat[0] / 1000.0, lat[1] / 1000.0, lat[2] / 1000.0, lat[3]));
        System.out.printf(
            "%n| records | produce (rec/s) | plain consume-and-produce (rec/s) | Portcullis (events/s) |"
                + " latency at %d/s p50 / p99 / max (ms) |%n|---|---|---|---|---|%n| %d | %.0f | %.0f | %.0f |"
                + " %.1f / %.1f / %.1f |%n",
            rate,
            n,
            produceRate,
            baseline,
            portcullis,
            lat[0] / 1000.0,
            lat[1] / 1000.0,
            lat[2] / 1000.0);
      }
    }
  }

  static List<Input> corpus() {
    List<Input> out = new ArrayList<>();
    for (String kind : List.of("cloudtrail", "k8saudit")) {
      String topic = kind.equals("cloudtrail") ? CLOUDTRAIL : K8S;
      for (Corpus.Line line : Corpus.lines(kind)) {
        out.add(new Input(topic, null, line.json().getBytes(StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  /**
   * {@code count} events from the corpus in turn, each with a unique id and a final audit stage.
   */
  static List<Input> renumber(List<Input> corpus, int count, String prefix) throws Exception {
    List<JsonNode> trees = new ArrayList<>();
    for (Input in : corpus) {
      trees.add(JSON.readTree(in.value()));
    }
    List<Input> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int c = i % corpus.size();
      ObjectNode e = trees.get(c).deepCopy();
      String id = prefix + i;
      if (corpus.get(c).topic().equals(CLOUDTRAIL)) {
        e.put("eventID", id);
      } else {
        e.put("auditID", id);
        e.put("stage", "ResponseComplete");
      }
      out.add(
          new Input(
              corpus.get(c).topic(),
              id.getBytes(StandardCharsets.UTF_8),
              JSON.writeValueAsBytes(e)));
    }
    return out;
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p);
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }

  static void produce(String bootstrap, List<Input> records) {
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      for (Input r : records) {
        p.send(new ProducerRecord<>(r.topic(), r.key(), r.value()));
      }
      p.flush();
    }
  }

  static void warmUp(String bootstrap, List<Input> corpus, Duration time) {
    long end = System.nanoTime() + time.toNanos();
    int round = 0;
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap);
        KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, "warmup")) {
      c.subscribe(List.of("warmup"));
      while (System.nanoTime() < end) {
        for (Input r : corpus) {
          p.send(new ProducerRecord<>("warmup", r.key(), r.value()));
        }
        p.flush();
        c.poll(Duration.ofMillis(50));
        round++;
      }
    }
    log("warm-up wrote " + round * corpus.size() + " records");
  }

  /** The plain loop: read, write to the sink, flush, commit; records per second. */
  static double baseline(String bootstrap, int n) {
    long first = 0;
    int seen = 0;
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, "baseline");
        KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      c.subscribe(List.of(CLOUDTRAIL, K8S));
      while (seen < n) {
        ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(200));
        if (batch.isEmpty()) {
          continue;
        }
        if (first == 0) {
          first = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          p.send(new ProducerRecord<>(SINK, r.key(), r.value()));
          seen++;
        }
        p.flush();
        c.commitSync();
      }
    }
    return seen / seconds(System.nanoTime() - first);
  }

  /** Events per second from the first decision written to the n-th. */
  static double throughput(String bootstrap, int n, Duration timeout) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        parts.add(new TopicPartition(DECISIONS, i));
      }
      long first = 0;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        long total = 0;
        var offsets =
            admin
                .listOffsets(
                    parts.stream()
                        .collect(
                            java.util.stream.Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all()
                .get(10, TimeUnit.SECONDS);
        for (var o : offsets.values()) {
          total += o.offset();
        }
        long now = System.nanoTime();
        if (total > 0 && first == 0) {
          first = now;
        }
        if (total >= n) {
          return n / seconds(now - first);
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("Portcullis did not decide " + n + " events in " + timeout);
    }
  }

  /**
   * Produces at a fixed rate and reads the decisions back: {p50, p99, max} of decidedAt minus
   * receivedAt in microseconds, and the sample count.
   */
  static long[] latency(String bootstrap, List<Input> paced, int rate) throws Exception {
    List<Long> samples = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, "latency-reader");
        KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        parts.add(new TopicPartition(DECISIONS, i));
      }
      c.assign(parts);
      c.seekToEnd(parts);
      parts.forEach(c::position);
      long start = System.nanoTime();
      long intervalNanos = 1_000_000_000L / rate;
      for (int i = 0; i < paced.size(); i++) {
        long due = start + i * intervalNanos;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        Input r = paced.get(i);
        p.send(new ProducerRecord<>(r.topic(), r.key(), r.value()));
        if (i % 200 == 0) {
          drain(c, samples, Duration.ZERO);
        }
      }
      p.flush();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (samples.size() < paced.size() && System.nanoTime() < deadline) {
        drain(c, samples, Duration.ofMillis(200));
      }
    }
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      throw new IllegalStateException("no decisions read back");
    }
    return new long[] {
      sorted[sorted.length / 2],
      sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
      sorted[sorted.length - 1],
      sorted.length
    };
  }

  private static void drain(KafkaConsumer<byte[], byte[]> c, List<Long> samples, Duration wait)
      throws Exception {
    for (ConsumerRecord<byte[], byte[]> r : c.poll(wait)) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (!key.startsWith("paced-")) {
        continue;
      }
      JsonNode d = JSON.readTree(r.value());
      Instant received = Instant.parse(d.path("receivedAt").asText());
      Instant decided = Instant.parse(d.path("decidedAt").asText());
      samples.add(Duration.between(received, decided).toNanos() / 1000);
    }
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static void log(String s) {
    System.out.println("[load] " + s);
  }

  private LoadHarness() {}
}
