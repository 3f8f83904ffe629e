package dev.portcullis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.AdmissionReviews;
import dev.portcullis.testing.PackagedApp;
import dev.portcullis.testing.TempDirs;
import dev.portcullis.testing.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Load run of the admission webhook at fixed request rates: the packaged Portcullis (separate JVM,
 * HTTPS with a self-signed certificate, decision records to a real in-process broker) is sent
 * AdmissionReviews by {@code java.net.http.HttpClient} over HTTPS (HTTP/2, as the API server's Go
 * client negotiates it), open loop: request {@code i} is due at {@code start + i / rate} whatever
 * happened before, and its latency counts from when it was due, so a stall shows in the figures
 * instead of slowing the load down (no coordinated omission).
 *
 * <p>Half of the reviews are a person's Secret (denied by {@code untracked-secret}, a decision
 * record written), half Argo CD's (allowed, a record written); each has its own uid. An answer
 * counts as an error unless it is a 200 AdmissionReview with the same uid and the expected verdict.
 *
 * <p>Run (package first): {@code ./mvnw -B -q -Pbench package -DskipTests exec:exec
 * -Dbench.main=dev.portcullis.bench.AdmissionLoad -Dbench.args="100,500 30 20"} (rates per second,
 * seconds per rate, warm-up seconds). The JIT is still compiling a minute after start: the issue 14
 * figures use 120 s of warm-up. On a machine of two CPUs, {@code BENCH_SERVICE_CPUS=1 taskset -c 0
 * ./mvnw ...} gives the service CPU 1 and the generator with its broker CPU 0, so the service's own
 * figure is not its wait for a CPU the generator holds; {@code BENCH_SERVICE_JAVA_OPTS} sets the
 * service's JVM options.
 */
public final class AdmissionLoad {

  static final ObjectMapper JSON = new ObjectMapper();

  record Step(
      int rate,
      int sent,
      int errors,
      double achieved,
      long[] micros,
      String loadBefore,
      String loadAfter,
      String server) {}

  public static void main(String[] args) throws Exception {
    int[] rates =
        Arrays.stream((args.length > 0 ? args[0] : "100,500").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    HttpClient.Version version =
        args.length > 3 && args[3].equals("1.1")
            ? HttpClient.Version.HTTP_1_1
            : HttpClient.Version.HTTP_2;

    Path data = TempDirs.create("portcullis-admission-load");
    try (EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker(0, data).start(Duration.ofSeconds(60))) {
      int https = PackagedApp.freePort();
      Map<String, String> env = new HashMap<>();
      env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
      env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(https));
      env.put("QUARKUS_TLS_KEY_STORE_PEM__0__CERT", TestCertificates.cert().toString());
      env.put("QUARKUS_TLS_KEY_STORE_PEM__0__KEY", TestCertificates.key().toString());
      env.put("QUARKUS_LOG_CATEGORY__DEV_PORTCULLIS__LEVEL", "WARN");
      LoadHarness.serviceJavaOptions(env, "");
      try (PackagedApp app =
          PackagedApp.start("admission-load-portcullis", env, Duration.ofSeconds(120))) {
        URI uri = URI.create("https://localhost:" + https + "/k8s/validate");
        HttpClient client =
            HttpClient.newBuilder()
                .sslContext(TestCertificates.trusting())
                .version(version)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        // One review on its own first: requests sent while no connection is open yet each open one
        // of their own (java.net.http does not wait for the first HTTP/2 connection), which left
        // about 300 TLS connections open and the service busy with their handshakes. The API
        // server keeps one connection per webhook.
        AdmissionReviews.Request first = AdmissionReviews.secret("payments", "load-first");
        client.send(
            HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(first.review()))
                .build(),
            HttpResponse.BodyHandlers.discarding());
        log("HTTP version " + version + "; warming up for " + warmUp + " s at 200 reviews/s");
        run(client, uri, 200, warmUp);

        List<Step> steps = new ArrayList<>();
        for (int rate : rates) {
          String before = loadAverage();
          Map<Double, Double> bucketsBefore = serverBuckets(app);
          double[] sumCountBefore = serverSumCount(app);
          Step s = run(client, uri, rate, seconds);
          String server = server(app, bucketsBefore, sumCountBefore);
          steps.add(
              new Step(
                  rate,
                  s.sent(),
                  s.errors(),
                  s.achieved(),
                  s.micros(),
                  before,
                  loadAverage(),
                  server));
          log(
              String.format(
                  "%d/s for %d s: p50 %.2f ms, p99 %.2f ms, max %.2f ms, errors %d of %d; %s",
                  rate,
                  seconds,
                  pct(s.micros(), 50) / 1000.0,
                  pct(s.micros(), 99) / 1000.0,
                  pct(s.micros(), 100) / 1000.0,
                  s.errors(),
                  s.sent(),
                  server));
        }
        System.out.printf(
            "%n| rate (reviews/s) | sent | achieved (/s) | p50 (ms) | p90 (ms) | p99 (ms) | max (ms)"
                + " | errors | in the service | load average before / after |%n"
                + "|---|---|---|---|---|---|---|---|---|---|%n");
        for (Step s : steps) {
          System.out.printf(
              "| %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %s | %s / %s |%n",
              s.rate(),
              s.sent(),
              s.achieved(),
              pct(s.micros(), 50) / 1000.0,
              pct(s.micros(), 90) / 1000.0,
              pct(s.micros(), 99) / 1000.0,
              pct(s.micros(), 100) / 1000.0,
              s.errors(),
              s.server(),
              s.loadBefore(),
              s.loadAfter());
        }
      }
    }
  }

  /** Sends {@code rate} reviews a second for {@code seconds}, open loop, and waits for all. */
  static Step run(HttpClient client, URI uri, int rate, int seconds) throws Exception {
    int n = rate * seconds;
    List<String> bodies = new ArrayList<>(n);
    List<String> uids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      AdmissionReviews.Request r = AdmissionReviews.secret("payments", "load-" + i);
      if (i % 2 == 1) {
        r.argoCd();
      }
      bodies.add(r.review());
      uids.add(r.uid());
    }
    ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
    AtomicInteger errors = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>(n);
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * period;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      String uid = uids.get(i);
      boolean person = i % 2 == 0;
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i)))
              .build();
      all.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (resp, err) -> {
                    micros.add((System.nanoTime() - due) / 1000);
                    if (err != null || !expected(resp, uid, !person)) {
                      errors.incrementAndGet();
                    }
                    return null;
                  }));
    }
    double sendSeconds = (System.nanoTime() - start) / 1e9;
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Step(rate, n, errors.get(), n / sendSeconds, sorted, null, null, null);
  }

  /**
   * The service's own view of a step, from {@code portcullis_admission_latency_seconds} (arrival of
   * the request to its answer, without the network and the client): the mean, and the histogram
   * buckets that hold the median and the 99th percentile.
   */
  static String server(PackagedApp app, Map<Double, Double> before, double[] sumCountBefore)
      throws Exception {
    Map<Double, Double> after = serverBuckets(app);
    double[] sc = serverSumCount(app);
    double count = sc[1] - sumCountBefore[1];
    double mean = count == 0 ? 0 : (sc[0] - sumCountBefore[0]) / count * 1000;
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    for (Map.Entry<Double, Double> e : after.entrySet()) {
      double cumulative = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
      if (Double.isNaN(p50) && cumulative >= 0.5 * count) {
        p50 = e.getKey() * 1000;
      }
      if (Double.isNaN(p99) && cumulative >= 0.99 * count) {
        p99 = e.getKey() * 1000;
      }
    }
    return String.format("mean %.2f ms, p50 <= %.1f ms, p99 <= %.1f ms", mean, p50, p99);
  }

  /** Cumulative bucket counts of the admission latency, summed over results, by upper bound. */
  static Map<Double, Double> serverBuckets(PackagedApp app) throws Exception {
    Map<Double, Double> out = new java.util.TreeMap<>();
    for (String line : metrics(app)) {
      if (line.startsWith("portcullis_admission_latency_seconds_bucket{")) {
        int le = line.indexOf("le=\"") + 4;
        String bound = line.substring(le, line.indexOf('"', le));
        double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        double key = bound.equals("+Inf") ? Double.MAX_VALUE : Double.parseDouble(bound);
        out.merge(key, v, Double::sum);
      }
    }
    return out;
  }

  static double[] serverSumCount(PackagedApp app) throws Exception {
    double sum = 0;
    double count = 0;
    for (String line : metrics(app)) {
      double v =
          line.startsWith("#") ? 0 : Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (line.startsWith("portcullis_admission_latency_seconds_sum{")) {
        sum += v;
      } else if (line.startsWith("portcullis_admission_latency_seconds_count{")) {
        count += v;
      }
    }
    return new double[] {sum, count};
  }

  static List<String> metrics(PackagedApp app) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(app.url("/q/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body().lines().toList();
  }

  static boolean expected(HttpResponse<String> r, String uid, boolean allowed) {
    if (r.statusCode() != 200) {
      return false;
    }
    try {
      JsonNode response = JSON.readTree(r.body()).path("response");
      return uid.equals(response.path("uid").asText())
          && response.path("allowed").asBoolean(!allowed) == allowed;
    } catch (Exception e) {
      return false;
    }
  }

  /** The value at a percentile of sorted samples (100: the maximum). */
  static long pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "?";
    }
  }

  static void log(String s) {
    System.out.println("[admission-load] " + s);
  }

  private AdmissionLoad() {}
}
