package dev.portcullis.bench;

import dev.portcullis.bench.LoadHarness.Input;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.PackagedApp;
import dev.portcullis.testing.TempDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Memory and latency over a long steady load, then a burst: the packaged service (its own JVM, the
 * heap and JVM options under test in {@code BENCH_SERVICE_JAVA_OPTS}) against a KRaft broker in
 * this JVM (another process, as in a deployment), fed the corpus at a fixed rate for N minutes.
 * Every minute: resident memory of the service, heap in use (from {@code /q/metrics}), decision
 * latency in the service over that minute. Then 10 s at ten times the rate, and the time until the
 * consumer lag of the stream is back to zero. With {@code BENCH_EMBEDDED=1} the broker is the one
 * the service starts itself when no Kafka is configured (the README's run command), and the RSS
 * includes it.
 *
 * <p>Run: {@code BENCH_SERVICE_JAVA_OPTS="-Xmx256m" ./mvnw -B -q -Pbench package -DskipTests
 * exec:exec -Dbench.main=dev.portcullis.bench.SoakHarness -Dbench.args="60 2000"} (minutes,
 * events/s).
 */
public final class SoakHarness {

  static final Pattern HEAP =
      Pattern.compile(
          "^jvm_memory_used_bytes\\{area=\"heap\"[^}]*}\\s+([0-9.E+]+)", Pattern.MULTILINE);

  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    String opts = System.getenv().getOrDefault("BENCH_SERVICE_JAVA_OPTS", "");
    // BENCH_EMBEDDED=1: the README's run command's setting instead, the broker inside the service
    // (the service creates the topics); the figure the goal wants beside the external broker's.
    boolean embedded = "1".equals(System.getenv("BENCH_EMBEDDED"));
    Path data = TempDirs.create("portcullis-soak");
    try (EmbeddedKafkaBroker broker =
        embedded ? null : new EmbeddedKafkaBroker(0, data).start(Duration.ofSeconds(60))) {
      String bootstrap =
          embedded ? "127.0.0.1:" + PackagedApp.freePort() : broker.bootstrapServers();
      String cluster = "soak";
      String ct = cluster + ".cloudtrail";
      String k8s = cluster + ".k8s-audit";
      Map<String, String> env = LoadHarness.env(bootstrap, cluster, 1);
      if (embedded) {
        env.remove("KAFKA_BOOTSTRAP_SERVERS");
        env.put("PORTCULLIS_EMBEDDED_KAFKA_PORT", bootstrap.substring(bootstrap.indexOf(':') + 1));
        env.put("PORTCULLIS_EMBEDDED_KAFKA_DATA_DIR", data.toString());
      } else {
        broker.createTopics(List.of(ct, k8s), LoadHarness.PARTITIONS);
      }
      env.put("PORTCULLIS_TOPICS_CLOUDTRAIL", ct);
      env.put("PORTCULLIS_TOPICS_K8S_AUDIT", k8s);
      // LoadHarness.env gives the service BENCH_SERVICE_JAVA_OPTS as its JAVA_TOOL_OPTIONS.
      List<Input> corpus = LoadHarness.corpus();
      LoadHarness.log(
          "soak: "
              + minutes
              + " min at "
              + rate
              + " events/s, service options '"
              + opts
              + "'"
              + (embedded ? ", broker embedded in the service" : ""));
      StringBuilder table = new StringBuilder();
      table.append(
          "\n| minute | sent | RSS (MB) | heap used (MB) | in service p50 / p99 / max (ms) |\n"
              + "|---|---|---|---|---|\n");
      try (PackagedApp app = PackagedApp.start(cluster, env, Duration.ofSeconds(120));
          KafkaProducer<byte[], byte[]> producer = LoadHarness.producer(bootstrap);
          Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        List<Long> service = Collections.synchronizedList(new ArrayList<>());
        List<Long> visible = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread reader =
            new Thread(
                () -> {
                  try (KafkaConsumer<byte[], byte[]> c =
                      LoadHarness.committedReader(bootstrap, cluster + ".decisions")) {
                    while (reading.get()) {
                      LoadHarness.drain(c, "soak-", service, visible, Duration.ofMillis(100));
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                },
                "soak-reader");
        reader.start();
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long sent = 0;
        for (int minute = 1; minute <= minutes; minute++) {
          for (int chunk = 0; chunk < 6; chunk++) { // 10 s of records at a time
            List<Input> records =
                LoadHarness.renumber(corpus, rate * 10, "soak-" + minute + "-" + chunk + "-");
            for (Input r : records) {
              long wait = start + sent * intervalNanos - System.nanoTime();
              if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
              }
              producer.send(
                  new ProducerRecord<>(
                      r.topic().equals(LoadHarness.CLOUDTRAIL) ? ct : k8s, r.key(), r.value()));
              sent++;
            }
          }
          long[] p;
          synchronized (service) {
            p = service.isEmpty() ? new long[] {0, 0, 0} : LoadHarness.percentiles(service);
            service.clear();
            visible.clear();
          }
          String row =
              String.format(
                  "| %d | %d | %d | %d | %s |%n",
                  minute, sent, LoadHarness.rssMb(app.pid()), heapMb(app), LoadHarness.ms(p));
          table.append(row);
          LoadHarness.log("soak " + row.trim());
        }
        producer.flush();
        // A burst: ten times the rate for 10 s, then the time until the lag is zero again.
        List<Input> burst = LoadHarness.renumber(corpus, rate * 100, "soak-burst-");
        long burstStart = System.nanoTime();
        long burstInterval = intervalNanos / 10;
        for (int i = 0; i < burst.size(); i++) {
          long wait = burstStart + i * burstInterval - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
          Input r = burst.get(i);
          producer.send(
              new ProducerRecord<>(
                  r.topic().equals(LoadHarness.CLOUDTRAIL) ? ct : k8s, r.key(), r.value()));
        }
        producer.flush();
        double sentIn = LoadHarness.seconds(System.nanoTime() - burstStart);
        boolean caughtUp = true;
        try {
          LoadHarness.caughtUp(bootstrap, cluster, Duration.ofMinutes(15));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          caughtUp = false;
        }
        double back = LoadHarness.seconds(System.nanoTime() - burstStart);
        String burstLine =
            String.format(
                "burst of %d events at %d/s (sent in %.1f s): lag %s %.1f s after the burst began;"
                    + " RSS then %d MB, heap used %d MB",
                burst.size(),
                rate * 10,
                sentIn,
                caughtUp ? "back to zero" : "still " + LoadHarness.lag(admin, cluster),
                back,
                LoadHarness.rssMb(app.pid()),
                heapMb(app));
        LoadHarness.log(burstLine);
        table.append("\n").append(burstLine).append("\n");
        reading.set(false);
        reader.join();
      }
      System.out.println(table);
    }
  }

  /** Heap in use in the service, from its Prometheus metrics (all heap pools), in MB. */
  static long heapMb(PackagedApp app) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(app.url("/q/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString());
    double sum = 0;
    Matcher m = HEAP.matcher(r.body());
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return Math.round(sum / (1024 * 1024));
  }
}
