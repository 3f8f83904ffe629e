package dev.portcullis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.Corpus;
import dev.portcullis.testing.PackagedApp;
import dev.portcullis.testing.TempDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 *       sink topic, at least once (flush, then commit, after each poll); then the same loop exactly
 *       once (Portcullis's guarantee: one transaction with the offsets per 100 ms).
 *   <li>Before (optional, {@code BENCH_BEFORE_JAR=<path to an older quarkus-run.jar>}): that build
 *       reads the same records from offset 0 into a decisions topic of its own.
 *   <li>Portcullis with 1, 2, ... instances ({@code BENCH_INSTANCES=1,2,3}, default 1; {@code none}
 *       for only the baselines and the cold starts), each count a cluster of its own (application
 *       id, decisions and changes topics, state folders): reads the same records from offset 0;
 *       throughput is counted on its decisions topic, read as a user reads it ({@code
 *       read_committed}), from the first decision to the N-th.
 *   <li>Latency: with the instances caught up, events are produced at a fixed rate for 30 s; for
 *       each decision record, in the service ({@code decidedAt - receivedAt}) and as a reader sees
 *       it (read back, committed, minus the input's Kafka record time; same clock); and the CPU
 *       time the instances used in those 30 s, per event.
 *   <li>Kill -9 (with 2 or more instances): the same paced run, and one instance killed with
 *       SIGKILL 10 s in; reports how long events waited at most and whether every one was decided.
 * </ol>
 *
 * The services run with {@code BENCH_SERVICE_JAVA_OPTS} as their {@code JAVA_TOOL_OPTIONS} when set
 * (JVM options, or {@code -Dkafka-streams.<key>=...} to try a Kafka Streams setting), and a JFR
 * recording with {@code BENCH_JFR=<file name>}. {@code BENCH_WARM_UP} sets the instances' warm-up,
 * {@code BENCH_COLD_WARM_UP} that of the warm-start runs (both default to the shipped 2 s), {@code
 * BENCH_COLD_START=0} skips the warm-start runs. With {@code BENCH_SERVICE_CPUS=<taskset list>} the
 * services run on those CPUs and so do the plain loops, each in a JVM of its own that reports its
 * CPU per record (start the harness on the other CPUs: {@code BENCH_SERVICE_CPUS=1 taskset -c 0
 * ./mvnw ...}): equal CPUs for the loop and the service, the broker on CPUs of its own.
 *
 * <p>Run: {@code ./mvnw -B -q -Pbench package -DskipTests exec:exec
 * -Dbench.main=dev.portcullis.bench.LoadHarness -Dbench.args="200000 2000"} (records, fixed rate
 * per second, broker warm-up seconds).
 */
public final class LoadHarness {

  static final String CLOUDTRAIL = "portcullis.cloudtrail";
  static final String K8S = "portcullis.k8s-audit";
  static final String SINK = "baseline.sink";
  static final int PARTITIONS = 6;
  static final ObjectMapper JSON = new ObjectMapper();

  record Input(String topic, byte[] key, byte[] value) {}

  /**
   * What a paced load measured: in-service and visible latency percentiles in microseconds; {@code
   * worstBySecond}: the slowest in-service latency (ms) of the events that arrived in each second
   * of the load, in order.
   */
  record Latency(
      long[] service, long[] visible, int samples, int expected, List<Long> worstBySecond) {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(PLAIN_LOOP)) {
      plainLoopProcess(args[1], args[2], Integer.parseInt(args[3]));
      return;
    }
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int warmUpSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    List<Integer> counts = new ArrayList<>();
    String instances = System.getenv().getOrDefault("BENCH_INSTANCES", "1");
    for (String c : instances.equals("none") ? new String[0] : instances.split(",")) {
      counts.add(Integer.parseInt(c.trim()));
    }
    String before = System.getenv("BENCH_BEFORE_JAR");
    Path data = TempDirs.create("portcullis-load");
    StringBuilder table = new StringBuilder();
    try (EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker(0, data).start(Duration.ofSeconds(60))) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(
          List.of(
              CLOUDTRAIL, K8S, "portcullis.dead-letter", SINK, SINK + ".exactly-once", "warmup"),
          PARTITIONS);
      List<Input> corpus = corpus();

      log("warming the broker up for " + warmUpSeconds + " s");
      warmUp(bootstrap, corpus, Duration.ofSeconds(warmUpSeconds));

      List<Input> records = renumber(corpus, n, "load-");
      long t = System.nanoTime();
      produce(bootstrap, records);
      double produceRate = n / seconds(System.nanoTime() - t);
      log(String.format("produced %d records at %.0f records/s", n, produceRate));

      // With BENCH_SERVICE_CPUS the loops run where the service will: a JVM of their own on those
      // CPUs, the broker and this harness on the others (equal CPUs for the loop and the service).
      String cpus = System.getenv("BENCH_SERVICE_CPUS");
      boolean pinned = cpus != null && !cpus.isBlank();
      double baseline =
          pinned ? plainLoopOn(cpus.trim(), "at-least-once", bootstrap, n) : baseline(bootstrap, n);
      log(String.format("baseline consume-and-produce: %.0f records/s", baseline));
      // The same loop with Portcullis's delivery guarantee: Kafka transactions, committed (with
      // the consumed offsets) every 100 ms, as Kafka Streams does with exactly_once_v2.
      double exactlyOnce =
          pinned
              ? plainLoopOn(cpus.trim(), "exactly-once", bootstrap, n)
              : baselineExactlyOnce(bootstrap, n);
      log(String.format("baseline consume-and-produce, exactly once: %.0f records/s", exactlyOnce));
      table.append(
          String.format(
              "%n| run | instances | events/s | vs plain loop | vs plain loop, exactly once |"
                  + " latency at %d/s in service p50 / p99"
                  + " (ms) | as read (committed) p50 / p99 / max (ms) | service CPU per event at"
                  + " that rate (ms) | RSS per instance (MB) |%n"
                  + "|---|---|---|---|---|---|---|---|---|%n"
                  + "| plain consume-and-produce, at least once | 1 thread | %.0f | 1.00 | %.2f |"
                  + " | | | |%n"
                  + "| plain consume-and-produce, exactly once | 1 thread | %.0f | %.2f | 1.00 |"
                  + " | | | |%n",
              rate, baseline, baseline / exactlyOnce, exactlyOnce, exactlyOnce / baseline));

      if (before != null) {
        Map<String, String> env = env(bootstrap, "before", 1);
        env.remove("QUARKUS_KAFKA_STREAMS_APPLICATION_ID");
        try (PackagedApp app =
            PackagedApp.start(Path.of(before), "load-before", env, Duration.ofSeconds(120))) {
          double r = throughput(bootstrap, "before.decisions", "load-", n, Duration.ofMinutes(10));
          log(String.format("before (%s): %.0f events/s", before, r));
          double cpu = cpuSeconds(app.pid());
          Latency lat =
              latency(
                  bootstrap,
                  "before.decisions",
                  renumber(corpus, rate * 30, "paced-b-"),
                  rate,
                  null);
          double cpuMs = (cpuSeconds(app.pid()) - cpu) * 1000 / (rate * 30);
          table.append(
              row(
                  "before (" + before + ")",
                  "1",
                  r,
                  baseline,
                  exactlyOnce,
                  lat,
                  cpuMs,
                  List.of(app)));
        }
      }
      for (int k : counts) {
        String cluster = "bench-" + k;
        List<PackagedApp> apps = new ArrayList<>();
        try {
          for (int i = 1; i <= k; i++) {
            apps.add(
                PackagedApp.start(
                    cluster + "-" + i, env(bootstrap, cluster, i), Duration.ofSeconds(120)));
          }
          String decisions = cluster + ".decisions";
          double r = throughput(bootstrap, decisions, "load-", n, Duration.ofMinutes(10));
          log(String.format("Portcullis end to end, %d instance(s): %.0f events/s", k, r));
          // Earlier runs' paced records are on the inputs too: catch up before timing latency.
          caughtUp(bootstrap, cluster, Duration.ofMinutes(5));
          double cpu = 0;
          for (PackagedApp a : apps) {
            cpu -= cpuSeconds(a.pid());
          }
          Latency lat =
              latency(
                  bootstrap,
                  decisions,
                  renumber(corpus, rate * 30, "paced-" + k + "-"),
                  rate,
                  null);
          for (PackagedApp a : apps) {
            cpu += cpuSeconds(a.pid());
          }
          double cpuMs = cpu * 1000 / (rate * 30);
          log(describe(k + " instance(s) at " + rate + " events/s", lat));
          log(String.format("service CPU per event at %d/s: %.3f ms", rate, cpuMs));
          table.append(
              row(
                  "Portcullis (Kafka Streams)",
                  String.valueOf(k),
                  r,
                  baseline,
                  exactlyOnce,
                  lat,
                  cpuMs,
                  apps));
          if (k >= 2) {
            PackagedApp victim = apps.get(1);
            Latency killed =
                latency(
                    bootstrap,
                    decisions,
                    renumber(corpus, rate * 30, "killed-" + k + "-"),
                    rate,
                    () -> {
                      try {
                        victim.kill();
                        log("killed instance 2 of " + k + " with SIGKILL");
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
            log(describe(k + " instance(s), one killed 10 s in", killed));
            table.append(
                String.format(
                    "| kill -9 of instance 2, 10 s into 30 s at %d/s | %d | | | | %s | %s | | |%n",
                    rate,
                    k,
                    ms(killed.service()),
                    ms(killed.visible())
                        + String.format(
                            " (%d of %d decided)", killed.samples(), killed.expected())));
          }
        } finally {
          for (PackagedApp a : apps) {
            if (a.isAlive()) {
              a.close();
            }
          }
        }
      }
      if (!"0".equals(System.getenv("BENCH_COLD_START"))) {
        coldStarts(broker, corpus, rate, table);
      }
    }
    System.out.println(table);
  }

  /**
   * Warm start: a fresh instance on input topics of its own (nothing to catch up on), loaded at
   * {@code rate} from the moment it reports ready, for 30 s and then 30 s more; once without the
   * warm-up and once with the shipped one; then the second started again on the application id,
   * topics and state folder the first left (a restart, as after a crash or a rollout). Issue 14's
   * goal: the first 30 s's p99 at most 3 times the steady p99.
   */
  static void coldStarts(
      EmbeddedKafkaBroker broker, List<Input> corpus, int rate, StringBuilder table)
      throws Exception {
    String bootstrap = broker.bootstrapServers();
    table.append(
        String.format(
            "%n| warm-up | ready after (s) | first 30 s at %d/s: in service p50 / p99 / max (ms) |"
                + " next 30 s | first p99 / next p99 |%n|---|---|---|---|---|%n",
            rate));
    Map<String, Map<String, String>> envs = new java.util.HashMap<>();
    // A new deployment (its application id, topics and changelogs created at start), without and
    // with the warm-up; then the second one started again on what the first left (a restart).
    // BENCH_COLD_WARM_UP: the warm-up of the second and third instance (default: the shipped 2 s).
    String shipped = System.getenv().getOrDefault("BENCH_COLD_WARM_UP", "PT2S");
    for (String warmUp : List.of("0s", shipped, shipped + " restart")) {
      boolean restart = warmUp.endsWith(" restart");
      String w = warmUp.replace(" restart", "");
      String cluster = "cold-" + w.toLowerCase(java.util.Locale.ROOT);
      String ct = cluster + ".cloudtrail";
      String k8s = cluster + ".k8s-audit";
      Map<String, String> env = envs.get(cluster);
      if (env == null) {
        broker.createTopics(List.of(ct, k8s), PARTITIONS);
        env = env(bootstrap, cluster, 1);
        env.put("PORTCULLIS_STREAM_WARM_UP", w);
        // The warm-up's own line ("Warmed up in ... ms: N evaluations") in the service's log.
        env.put("QUARKUS_LOG_CATEGORY__DEV_PORTCULLIS_STREAM__LEVEL", "INFO");
        env.put("PORTCULLIS_TOPICS_CLOUDTRAIL", ct);
        env.put("PORTCULLIS_TOPICS_K8S_AUDIT", k8s);
        envs.put(cluster, env);
      }
      long t0 = System.nanoTime();
      try (PackagedApp app =
          PackagedApp.start(cluster + (restart ? "-restart" : ""), env, Duration.ofSeconds(120))) {
        double ready = seconds(System.nanoTime() - t0);
        List<Input> first = new ArrayList<>();
        List<Input> next = new ArrayList<>();
        String prefix = cluster + (restart ? "-again-" : "-");
        for (Input r : renumber(corpus, rate * 60, prefix)) {
          Input moved = new Input(r.topic().equals(CLOUDTRAIL) ? ct : k8s, r.key(), r.value());
          (first.size() < rate * 30 ? first : next).add(moved);
        }
        Latency a = latency(bootstrap, cluster + ".decisions", first, rate, null);
        Latency b = latency(bootstrap, cluster + ".decisions", next, rate, null);
        log(describe("cold start, warm-up " + warmUp + ", first 30 s", a));
        log("  worst in service by second of arrival (ms): " + a.worstBySecond());
        log(describe("cold start, warm-up " + warmUp + ", next 30 s", b));
        table.append(
            String.format(
                "| %s | %.1f | %s | %s | %.1f |%n",
                warmUp,
                ready,
                ms(a.service()),
                ms(b.service()),
                (double) a.service()[1] / Math.max(1, b.service()[1])));
      }
    }
  }

  /** One cluster's instance {@code i}: topics and state of its own, the harness's broker. */
  static Map<String, String> env(String bootstrap, String cluster, int i) throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("QUARKUS_LOG_CATEGORY__DEV_PORTCULLIS__LEVEL", "WARN");
    env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", cluster);
    // The shipped default unless the run says otherwise.
    env.put("PORTCULLIS_STREAM_WARM_UP", System.getenv().getOrDefault("BENCH_WARM_UP", "PT2S"));
    env.put("PORTCULLIS_TOPICS_DECISIONS", cluster + ".decisions");
    env.put("PORTCULLIS_TOPICS_CHANGES", cluster + ".changes");
    env.put("PORTCULLIS_TOPICS_DEAD_LETTER", cluster + ".dead-letter");
    env.put("PORTCULLIS_TOPICS_PARTITIONS", String.valueOf(PARTITIONS));
    env.put("PORTCULLIS_ALERT_TOPIC", cluster + ".alerts");
    env.put("PORTCULLIS_ALERT_STATE_TOPIC", cluster + ".alert-state");
    env.put(
        "KAFKA_STREAMS_STATE_DIR",
        TempDirs.create("portcullis-load-" + cluster + "-" + i).toString());
    String jfr = System.getenv("BENCH_JFR"); // profile the service: a JFR file name
    serviceJavaOptions(
        env,
        jfr != null && i == 1
            ? "-XX:StartFlightRecording=filename="
                + cluster
                + "-"
                + jfr
                + ",settings=profile,dumponexit=true"
            : "");
    return env;
  }

  /**
   * Gives a benchmarked service {@code BENCH_SERVICE_JAVA_OPTS} (JVM options and -D settings: what
   * a deployment would set), and {@code more}, as its {@code JAVA_TOOL_OPTIONS}.
   */
  static void serviceJavaOptions(Map<String, String> env, String more) {
    String opts = (System.getenv().getOrDefault("BENCH_SERVICE_JAVA_OPTS", "") + " " + more).trim();
    if (!opts.isEmpty()) {
      env.put("JAVA_TOOL_OPTIONS", opts);
    }
  }

  static String row(
      String run,
      String instances,
      double rate,
      double baseline,
      double exactlyOnce,
      Latency lat,
      double cpuMsPerEvent,
      List<PackagedApp> apps)
      throws Exception {
    StringBuilder rss = new StringBuilder();
    for (PackagedApp a : apps) {
      if (a.isAlive()) {
        rss.append(rss.length() == 0 ? "" : ", ").append(rssMb(a.pid()));
      }
    }
    return String.format(
        "| %s | %s | %.0f | %.2f | %.2f | %s | %s | %.3f | %s |%n",
        run,
        instances,
        rate,
        rate / baseline,
        rate / exactlyOnce,
        ms(lat.service()),
        ms(lat.visible()),
        cpuMsPerEvent,
        rss);
  }

  static String ms(long[] p) {
    return String.format("%.1f / %.1f / %.1f", p[0] / 1000.0, p[1] / 1000.0, p[2] / 1000.0);
  }

  static String describe(String what, Latency lat) {
    return String.format(
        "%s: in service p50/p99/max %s ms; as read %s ms (%d of %d decided)",
        what, ms(lat.service()), ms(lat.visible()), lat.samples(), lat.expected());
  }

  /**
   * CPU time a process has used, user and system, in seconds (Linux {@code /proc/<pid>/stat},
   * fields 14 and 15, in clock ticks of 1/100 s).
   */
  static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    // The command name (field 2) may hold spaces: count from the parenthesis that closes it.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /** Resident memory of a process, from /proc (Linux). */
  static long rssMb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
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
    return producer(bootstrap, new Properties());
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap, Properties extra) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putAll(extra);
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
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
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

  static final String PLAIN_LOOP = "plain-loop";

  /**
   * A plain loop in a JVM of its own on {@code cpus} (taskset's list): its records per second, as
   * that JVM measured them. The JVM's CPU time per record is logged beside it, to set against the
   * service's CPU per event.
   */
  static double plainLoopOn(String cpus, String mode, String bootstrap, int n)
      throws IOException, InterruptedException {
    List<String> command =
        List.of(
            "taskset",
            "-c",
            cpus,
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
            "-cp",
            System.getProperty("java.class.path"),
            LoadHarness.class.getName(),
            PLAIN_LOOP,
            mode,
            bootstrap,
            String.valueOf(n));
    Path out = Path.of("target", "plain-loop-" + mode + ".log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("the plain loop failed; see " + out);
    }
    for (String line : Files.readAllLines(out)) {
      if (line.startsWith("[" + PLAIN_LOOP + "] ")) {
        String[] f = line.substring(PLAIN_LOOP.length() + 3).split(" ");
        log(
            String.format(
                "plain loop, %s, own JVM on CPUs %s: %s records/s, CPU per record %s ms",
                mode, cpus, f[0], f[1]));
        return Double.parseDouble(f[0]);
      }
    }
    throw new IllegalStateException("the plain loop printed no rate; see " + out);
  }

  /**
   * The child JVM of {@link #plainLoopOn}: one untimed pass over up to 20,000 records under a group
   * of its own (this JVM's JIT and connections warm, as the harness's are after the broker's
   * warm-up), then the timed loop; prints its rate and this JVM's CPU time per record.
   */
  static void plainLoopProcess(String mode, String bootstrap, int n) {
    boolean once = mode.equals("exactly-once");
    int warm = Math.min(n, 20_000);
    if (once) {
      baselineExactlyOnce(bootstrap, warm, "plain-loop-warm-up-exactly-once");
    } else {
      baseline(bootstrap, warm, "plain-loop-warm-up");
    }
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu = os.getProcessCpuTime();
    double rate =
        once
            ? baselineExactlyOnce(bootstrap, n, "baseline-exactly-once")
            : baseline(bootstrap, n, "baseline");
    double cpuMs = (os.getProcessCpuTime() - cpu) / 1e6 / n;
    System.out.printf("[%s] %.0f %.4f%n", PLAIN_LOOP, rate, cpuMs);
  }

  /** The plain loop: read, write to the sink, flush, commit; records per second. */
  static double baseline(String bootstrap, int n) {
    return baseline(bootstrap, n, "baseline");
  }

  static double baseline(String bootstrap, int n, String group) {
    long first = 0;
    int seen = 0;
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, group);
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

  /**
   * The plain loop with Kafka Streams' exactly_once_v2 guarantee: read (committed records only),
   * write to a sink in a transaction that also commits the consumed offsets, one transaction per
   * {@code commit.interval.ms} (100 ms, Portcullis's setting); records per second.
   */
  static double baselineExactlyOnce(String bootstrap, int n) {
    return baselineExactlyOnce(bootstrap, n, "baseline-exactly-once");
  }

  /** As above, under {@code group} (also the transactional id). */
  static double baselineExactlyOnce(String bootstrap, int n, String group) {
    long first = 0;
    int seen = 0;
    Properties tx = new Properties();
    tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group);
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, group);
        KafkaProducer<byte[], byte[]> p = producer(bootstrap, tx)) {
      p.initTransactions();
      c.subscribe(List.of(CLOUDTRAIL, K8S));
      Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets =
          new java.util.HashMap<>();
      long begun = 0;
      boolean open = false;
      while (seen < n || open) {
        ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(seen < n ? 200 : 0));
        if (!batch.isEmpty() && first == 0) {
          first = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          if (!open) {
            p.beginTransaction();
            open = true;
            begun = System.nanoTime();
          }
          p.send(new ProducerRecord<>(SINK + ".exactly-once", r.key(), r.value()));
          offsets.put(
              new TopicPartition(r.topic(), r.partition()),
              new org.apache.kafka.clients.consumer.OffsetAndMetadata(r.offset() + 1));
          seen++;
        }
        if (open && (seen >= n || System.nanoTime() - begun >= 100_000_000L)) {
          p.sendOffsetsToTransaction(offsets, c.groupMetadata());
          p.commitTransaction();
          offsets.clear();
          open = false;
        }
      }
    }
    return seen / seconds(System.nanoTime() - first);
  }

  /**
   * Events per second from the first decision to the n-th with the key prefix, counted as a user
   * reads the topic: committed records only (transaction markers take offsets too).
   */
  static double throughput(String bootstrap, String topic, String prefix, int n, Duration timeout) {
    try (KafkaConsumer<byte[], byte[]> c = committedReader(bootstrap, topic)) {
      long first = 0;
      int seen = 0;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
            if (first == 0) {
              first = System.nanoTime();
            }
            if (++seen == n) {
              return n / seconds(System.nanoTime() - first);
            }
          }
        }
      }
      throw new IllegalStateException(
          "Portcullis decided " + seen + " of " + n + " events in " + timeout);
    }
  }

  /** Waits until the consumer group has committed the end of every input partition. */
  static void caughtUp(String bootstrap, String group, Duration timeout) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap))) {
      org.awaitility.Awaitility.await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> lag(admin, group) == 0);
      log("group " + group + " caught up");
    }
  }

  /** Records the group has not committed yet; -1 before it has committed anything. */
  static long lag(org.apache.kafka.clients.admin.Admin admin, String group) throws Exception {
    var committed =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(10, java.util.concurrent.TimeUnit.SECONDS);
    if (committed.isEmpty()) {
      return -1;
    }
    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
        new java.util.HashMap<>();
    committed
        .keySet()
        .forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
    var ends = admin.listOffsets(latest).all().get(10, java.util.concurrent.TimeUnit.SECONDS);
    long lag = 0;
    for (var e : committed.entrySet()) {
      long behind = ends.get(e.getKey()).offset() - e.getValue().offset();
      // A topic written in transactions ends with a commit marker after the last record.
      lag += e.getKey().topic().endsWith(".changes") ? Math.max(0, behind - 1) : behind;
    }
    return lag;
  }

  /** Every partition of the topic from the beginning, committed records only. */
  static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, String topic) {
    KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, "reader-" + topic);
    List<TopicPartition> parts = new ArrayList<>();
    c.partitionsFor(topic, Duration.ofSeconds(60))
        .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }

  /**
   * Produces at a fixed rate for the length of {@code paced} and reads the decisions back: in the
   * service ({@code decidedAt - receivedAt}) and as read (poll time of the committed record minus
   * the input's record time), {p50, p99, max} in microseconds. {@code tenSecondsIn}, when given,
   * runs 10 s into the run (the kill -9).
   */
  static Latency latency(
      String bootstrap, String topic, List<Input> paced, int rate, Runnable tenSecondsIn)
      throws Exception {
    List<Long> service = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Long> visible = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<Long, Long> worst = new java.util.concurrent.ConcurrentSkipListMap<>();
    String prefix =
        new String(paced.get(0).key(), StandardCharsets.UTF_8).replaceAll("[0-9]+$", "");
    java.util.concurrent.atomic.AtomicBoolean reading =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.CountDownLatch positioned = new java.util.concurrent.CountDownLatch(1);
    // The reader polls on a thread of its own, so the paced producer never delays a read.
    Thread reader =
        new Thread(
            () -> {
              try (KafkaConsumer<byte[], byte[]> c = committedReader(bootstrap, topic)) {
                c.seekToEnd(c.assignment());
                c.assignment().forEach(c::position);
                positioned.countDown();
                while (reading.get() && service.size() < paced.size()) {
                  drain(c, prefix, service, visible, worst, Duration.ofMillis(50));
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "latency-reader");
    reader.start();
    positioned.await();
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      long start = System.nanoTime();
      long intervalNanos = 1_000_000_000L / rate;
      boolean fired = tenSecondsIn == null;
      for (int i = 0; i < paced.size(); i++) {
        long due = start + i * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
        if (!fired && System.nanoTime() - start >= Duration.ofSeconds(10).toNanos()) {
          fired = true;
          new Thread(tenSecondsIn, "ten-seconds-in").start();
        }
        Input r = paced.get(i);
        p.send(new ProducerRecord<>(r.topic(), r.key(), r.value()));
      }
      p.flush();
    }
    reader.join(Duration.ofSeconds(90).toMillis());
    reading.set(false);
    reader.join();
    if (service.isEmpty()) {
      throw new IllegalStateException("no decisions read back");
    }
    synchronized (service) {
      synchronized (visible) {
        long first = worst.isEmpty() ? 0 : worst.keySet().iterator().next();
        List<Long> bySecond = new ArrayList<>();
        worst.forEach(
            (second, micros) -> {
              while (bySecond.size() < second - first) {
                bySecond.add(0L); // a second in which nothing that was decided arrived
              }
              bySecond.add(micros / 1000);
            });
        return new Latency(
            percentiles(service), percentiles(visible), service.size(), paced.size(), bySecond);
      }
    }
  }

  static long[] percentiles(List<Long> samples) {
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    return new long[] {
      sorted[sorted.length / 2],
      sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
      sorted[sorted.length - 1]
    };
  }

  static void drain(
      KafkaConsumer<byte[], byte[]> c,
      String prefix,
      List<Long> service,
      List<Long> visible,
      Duration wait)
      throws Exception {
    drain(c, prefix, service, visible, null, wait);
  }

  /** As above; {@code worst}, when given, keeps each arrival second's slowest latency (µs). */
  static void drain(
      KafkaConsumer<byte[], byte[]> c,
      String prefix,
      List<Long> service,
      List<Long> visible,
      Map<Long, Long> worst,
      Duration wait)
      throws Exception {
    for (ConsumerRecord<byte[], byte[]> r : c.poll(wait)) {
      long now = System.currentTimeMillis();
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (!key.startsWith(prefix)) {
        continue;
      }
      JsonNode d = JSON.readTree(r.value());
      Instant received = Instant.parse(d.path("receivedAt").asText());
      Instant decided = Instant.parse(d.path("decidedAt").asText());
      long micros = Duration.between(received, decided).toNanos() / 1000;
      service.add(micros);
      if (worst != null) {
        worst.merge(received.getEpochSecond(), micros, Math::max);
      }
      visible.add((now - received.toEpochMilli()) * 1000);
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
