package dev.portcullis.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) run as a separate process,
 * the way the README runs it, from the project folder, with the given environment. Its output goes
 * to a log file under {@code target/}.
 */
public final class PackagedApp implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final int httpPort;

  private PackagedApp(Process process, Path log, int httpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /** Starts the jar with an HTTP port of its own plus {@code env}, and waits until it is ready. */
  public static PackagedApp start(String name, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    return start(Path.of("target/quarkus-app/quarkus-run.jar"), name, env, timeout);
  }

  /** Starts another build of the jar (a benchmark's "before"), as {@link #start}. */
  public static PackagedApp start(Path jar, String name, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    if (!Files.exists(jar)) {
      throw new IllegalStateException("package the application first: " + jar + " is missing");
    }
    int http = freePort();
    Path log = Path.of("target", name + ".log");
    List<String> command = new ArrayList<>();
    // Benchmarks only: the service on CPUs of its own (taskset's list, e.g. "1"), so that a load
    // generator and broker on the same machine do not take its CPU (AdmissionLoad's webhook runs).
    String cpus = System.getenv("BENCH_SERVICE_CPUS");
    if (cpus != null && !cpus.isBlank()) {
      command.addAll(List.of("taskset", "-c", cpus.trim()));
    }
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            jar.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
    pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(http));
    // The warm-up costs each start up to 2 s and no test is about it (TopologyProducerTest runs it,
    // LoadHarness measures it): off unless a test asks for it.
    pb.environment().put("PORTCULLIS_STREAM_WARM_UP", "0s");
    pb.environment().putAll(env);
    PackagedApp app = new PackagedApp(pb.start(), log, http);
    app.awaitReady(timeout);
    return app;
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the application exited; see " + log + ":\n" + log());
      }
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(url("/q/health/ready")))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      process.waitFor(250, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException("not ready within " + timeout + "; see " + log + ":\n" + log());
  }

  public String url(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  public int httpPort() {
    return httpPort;
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  /** Kills the process with SIGKILL (no shutdown hook runs, nothing is flushed) and waits. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** The process id, to read its resident memory. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the process as an operator would (SIGTERM) and waits for it. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
