package dev.portcullis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.PackagedApp;
import dev.portcullis.testing.TempDirs;
import dev.portcullis.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Load run of the Kubernetes audit webhook intake at a steady rate: the packaged Portcullis (own
 * JVM, HTTPS, a token, the stream judging everything it takes) is sent the API server's batches
 * ({@code src/test/resources/intake/apiserver-eventlist.json}, repeated to the batch size with
 * fresh audit ids) over HTTPS/2, open loop as in {@link AdmissionLoad}. Reports the answer time
 * (from when a request was due to its 200, which comes only after Kafka acknowledged every event),
 * the events accepted per second, and the same per core of CPU time the service used; then stops
 * the service and runs {@link LoadHarness#baseline}, the plain consume-and-produce loop, over the
 * very records the intake wrote, on the same broker.
 *
 * <p>Run (package first): {@code ./mvnw -B -q -Pbench package -DskipTests exec:exec
 * -Dbench.main=dev.portcullis.bench.AuditIntakeLoad -Dbench.args="20,50 100 30 20"} (batches per
 * second, events per batch, seconds per rate, warm-up seconds).
 */
public final class AuditIntakeLoad {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "load-token";

  public static void main(String[] args) throws Exception {
    int[] rates =
        java.util.Arrays.stream((args.length > 0 ? args[0] : "20,50").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 20;

    Path data = TempDirs.create("portcullis-intake-load");
    try (EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker(0, data).start(Duration.ofSeconds(60))) {
      broker.createTopics(
          List.of(LoadHarness.CLOUDTRAIL, LoadHarness.K8S, LoadHarness.SINK),
          LoadHarness.PARTITIONS);
      int https = PackagedApp.freePort();
      Map<String, String> env = new HashMap<>();
      env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
      env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(https));
      env.put("QUARKUS_TLS_KEY_STORE_PEM__0__CERT", TestCertificates.cert().toString());
      env.put("QUARKUS_TLS_KEY_STORE_PEM__0__KEY", TestCertificates.key().toString());
      env.put("PORTCULLIS_INTAKE_K8S_AUDIT_TOKEN", TOKEN);
      env.put("KAFKA_STREAMS_STATE_DIR", data.resolve("streams").toString());
      env.put("QUARKUS_LOG_CATEGORY__DEV_PORTCULLIS__LEVEL", "WARN");
      int total = 0;
      StringBuilder table = new StringBuilder();
      table.append(
          String.format(
              "%n| batches/s x events | events/s offered | events/s accepted | per core of service"
                  + " CPU | answer p50 / p99 / max (ms) | errors | load average before / after |%n"
                  + "|---|---|---|---|---|---|---|%n"));
      try (PackagedApp app =
          PackagedApp.start("intake-load-portcullis", env, Duration.ofSeconds(120))) {
        URI uri = URI.create("https://localhost:" + https + "/k8s/audit");
        HttpClient client =
            HttpClient.newBuilder()
                .sslContext(TestCertificates.trusting())
                .version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        log("warming up for " + warmUp + " s at 10 batches/s of " + batch);
        total += run(client, uri, 10, batch, warmUp, app.pid()).accepted();
        for (int rate : rates) {
          String before = AdmissionLoad.loadAverage();
          Step s = run(client, uri, rate, batch, seconds, app.pid());
          total += s.accepted();
          String row =
              String.format(
                  "| %d x %d | %d | %.0f | %.0f | %.2f / %.2f / %.2f | %d | %s / %s |",
                  rate,
                  batch,
                  rate * batch,
                  s.accepted() / s.seconds(),
                  s.accepted() / s.cpuSeconds(),
                  AdmissionLoad.pct(s.micros(), 50) / 1000.0,
                  AdmissionLoad.pct(s.micros(), 99) / 1000.0,
                  AdmissionLoad.pct(s.micros(), 100) / 1000.0,
                  s.errors(),
                  before,
                  AdmissionLoad.loadAverage());
          log(row);
          table.append(row).append('\n');
        }
      }
      log(
          "the service is stopped; the plain loop reads the "
              + total
              + " records the intake wrote");
      double baseline = LoadHarness.baseline(broker.bootstrapServers(), total);
      table.append(
          String.format(
              "| plain consume-and-produce of those records | | %.0f records/s | | | | |%n",
              baseline));
      System.out.println(table);
    }
  }

  record Step(int accepted, int errors, double seconds, double cpuSeconds, long[] micros) {}

  static Step run(HttpClient client, URI uri, int rate, int batch, int seconds, long pid)
      throws Exception {
    int n = rate * seconds;
    List<String> bodies = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      bodies.add(body(batch));
    }
    ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger accepted = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>(n);
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    double cpuBefore = cpuSeconds(pid);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * period;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .header("Authorization", "Bearer " + TOKEN)
              .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i)))
              .build();
      all.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (resp, err) -> {
                    micros.add((System.nanoTime() - due) / 1000);
                    if (err != null || resp.statusCode() != 200) {
                      errors.incrementAndGet();
                    } else {
                      try {
                        accepted.addAndGet(JSON.readTree(resp.body()).path("accepted").asInt());
                      } catch (IOException e) {
                        errors.incrementAndGet();
                      }
                    }
                    return null;
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    double elapsed = (System.nanoTime() - start) / 1e9;
    double cpu = cpuSeconds(pid) - cpuBefore;
    long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Step(accepted.get(), errors.get(), elapsed, cpu, sorted);
  }

  /** A batch as the API server sends it: the fixture's events, repeated with fresh audit ids. */
  static String body(int size) throws IOException {
    JsonNode list = JSON.readTree(FIXTURE);
    var items = (com.fasterxml.jackson.databind.node.ArrayNode) list.path("items");
    List<JsonNode> template = new ArrayList<>();
    items.forEach(template::add);
    items.removeAll();
    while (items.size() < size) {
      String id = UUID.randomUUID().toString();
      for (JsonNode t : template) {
        if (items.size() < size) {
          items.add(
              ((com.fasterxml.jackson.databind.node.ObjectNode) t.deepCopy()).put("auditID", id));
        }
      }
    }
    return JSON.writeValueAsString(list);
  }

  static final String FIXTURE = fixture();

  static String fixture() {
    try (InputStream in =
        AuditIntakeLoad.class
            .getClassLoader()
            .getResourceAsStream("intake/apiserver-eventlist.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** User and system CPU time of a process so far, from /proc (clock ticks of 1/100 s). */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  static void log(String s) {
    System.out.println("[intake-load] " + s);
  }

  private AuditIntakeLoad() {}
}
