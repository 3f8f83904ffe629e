package dev.portcullis.alert;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.portcullis.testing.TempDirs;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus Alertmanager (the Debian package {@code prometheus-alertmanager}) run by the
 * test on free loopback ports, with a route that forwards everything to a webhook receiver this
 * fixture runs, so a test sees both what Alertmanager holds ({@code GET /api/v2/alerts}) and what
 * it notifies (firing and resolved).
 *
 * <p>The binary is looked up on PATH. When it is missing and this process runs as root on a machine
 * with apt-get, it is installed; otherwise the test fails saying how to install it.
 */
final class RealAlertmanager implements AutoCloseable {

  static final String BINARY = "prometheus-alertmanager";
  static final String PACKAGE = "prometheus-alertmanager";

  private final Path dir;
  private final int port;
  private final Notifications notifications = new Notifications();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;

  RealAlertmanager() {
    try {
      this.dir = TempDirs.create("portcullis-test-alertmanager");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.port = freePort();
    notifications.start();
    TempDirs.closeAtExit(this::stop); // before its folder is deleted
  }

  /** Starts Alertmanager (again, on the same port and storage) and waits until it is ready. */
  synchronized RealAlertmanager start() {
    if (process != null && process.isAlive()) {
      return this;
    }
    String binary = binary();
    try {
      Path config = dir.resolve("alertmanager.yml");
      Files.writeString(config, config(notifications.base() + "/"));
      process =
          new ProcessBuilder(
                  binary,
                  "--config.file=" + config,
                  "--storage.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--cluster.listen-address=",
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("alertmanager.log").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + binary, e);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException("Alertmanager exited: " + log());
              }
              return get("/-/ready").statusCode() == 200;
            });
    return this;
  }

  /** Stops Alertmanager: calls are refused until {@link #start()}. */
  synchronized void stop() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The alerts Alertmanager holds ({@code GET /api/v2/alerts}: active ones). */
  List<JsonNode> alerts() {
    try {
      HttpResponse<String> r = get("/api/v2/alerts");
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET /api/v2/alerts answered " + r.statusCode());
      }
      List<JsonNode> out = new ArrayList<>();
      HttpReceiver.JSON.readTree(r.body()).forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Active alerts with this dedup key label. */
  List<JsonNode> alerts(String dedupKey) {
    return alerts().stream()
        .filter(a -> dedupKey.equals(a.path("labels").path("dedup_key").asText()))
        .toList();
  }

  /** Alerts Alertmanager sent to its webhook receiver with this dedup key and status. */
  List<JsonNode> notified(String dedupKey, String status) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : notifications.received) {
      for (JsonNode a : n.path("alerts")) {
        if (dedupKey.equals(a.path("labels").path("dedup_key").asText())
            && status.equals(a.path("status").asText())) {
          out.add(a);
        }
      }
    }
    return out;
  }

  String log() {
    try {
      return Files.readString(dir.resolve("alertmanager.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * One route to the test's receiver, every label grouped on (one notification per alert), resolved
   * alerts notified too; short waits so a test sees notifications within a second or two.
   */
  static String config(String webhook) {
    return String.join(
        "\n",
        "route:",
        "  receiver: portcullis-test",
        "  group_by: ['...']",
        "  group_wait: 0s",
        "  group_interval: 1s",
        "  repeat_interval: 4h",
        "receivers:",
        "  - name: portcullis-test",
        "    webhook_configs:",
        "      - url: '" + webhook + "'",
        "        send_resolved: true",
        "");
  }

  /** The binary on PATH, installed with apt-get when missing and allowed. */
  static synchronized String binary() {
    String found = onPath(BINARY);
    if (found != null) {
      return found;
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    String aptGet = onPath("apt-get");
    if (!root || aptGet == null) {
      throw new IllegalStateException(
          BINARY
              + " is not on PATH. These tests run a real Alertmanager: install the Debian package"
              + " with `sudo apt-get install -y "
              + PACKAGE
              + "` (or run the tests as root on a machine with apt-get, which installs it)");
    }
    run(List.of(aptGet, "install", "-y", "-q", PACKAGE), false);
    if (onPath(BINARY) == null) {
      // A fresh machine may have no package lists yet.
      run(List.of(aptGet, "update", "-q"), true);
      run(List.of(aptGet, "install", "-y", "-q", PACKAGE), true);
    }
    found = onPath(BINARY);
    if (found == null) {
      throw new IllegalStateException(
          "apt-get installed " + PACKAGE + " but " + BINARY + " is still not on PATH");
    }
    return found;
  }

  private static void run(List<String> cmd, boolean mustSucceed) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(10, TimeUnit.MINUTES) || (mustSucceed && p.exitValue() != 0)) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String onPath(String name) {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(path == null ? List.of() : List.of(path.split(":")));
    dirs.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
    for (String d : dirs) {
      File f = new File(d, name);
      if (f.isFile() && f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
    notifications.stop();
  }

  /** Alertmanager's webhook receiver: keeps every notification (webhook payload version 4). */
  static final class Notifications extends HttpReceiver {
    final List<JsonNode> received = new CopyOnWriteArrayList<>();

    @Override
    void handle(HttpExchange ex) throws IOException {
      received.add(JSON.readTree(body(ex)));
      send(ex, 200, "text/plain", "");
    }
  }
}
