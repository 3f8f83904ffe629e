package dev.portcullis.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 API server for the tests: Adobe's S3Mock standalone jar ({@code target/s3mock}, copied
 * there by the build) in its own JVM, on free loopback ports, with its store in a temporary folder.
 * Tests can stop it, or freeze it ({@code SIGSTOP}: connections are accepted and never answered, so
 * calls time out) and thaw it again.
 */
public final class S3MockServer implements AutoCloseable {

  /** Where the build puts the jar ({@code test.s3mock.jar}, set by the pom). */
  static Path jar() {
    String p = System.getProperty("test.s3mock.jar", "target/s3mock/s3mock-exec.jar");
    Path jar = Path.of(p);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "S3Mock's jar is missing at "
              + jar.toAbsolutePath()
              + ": run the build once (./mvnw -B generate-test-resources) to copy it there");
    }
    return jar;
  }

  private static S3MockServer shared;

  /**
   * One server shared by the test classes that only read and write objects (never stop or freeze
   * it): started on first use with no buckets (each test creates its own), stopped when the test
   * JVM exits.
   */
  public static synchronized S3MockServer shared() {
    if (shared == null || !shared.isAlive()) {
      shared = start("portcullis-shared");
    }
    return shared;
  }

  private final int port;
  private final Process process;
  private final Path store;
  private final Path log;

  private S3MockServer(int port, Process process, Path store, Path log) {
    this.port = port;
    this.process = process;
    this.store = store;
    this.log = log;
  }

  /** Starts a server with these buckets and waits until it answers (up to two minutes). */
  public static S3MockServer start(String... buckets) {
    try {
      int http = freePort();
      int https = freePort();
      Path store = TempDirs.create("portcullis-s3mock");
      Path log = store.resolveSibling(store.getFileName() + ".log");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx256m");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-jar");
      cmd.add(jar().toAbsolutePath().toString());
      cmd.add("--http.port=" + http);
      cmd.add("--server.port=" + https);
      cmd.add("--server.address=127.0.0.1");
      cmd.add("--com.adobe.testing.s3mock.store.root=" + store);
      cmd.add("--com.adobe.testing.s3mock.store.initial-buckets=" + String.join(",", buckets));
      cmd.add("--spring.main.banner-mode=off");
      cmd.add("--logging.level.root=WARN");
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      S3MockServer s = new S3MockServer(http, p, store, log);
      TempDirs.closeAtExit(s); // before its store is deleted
      await("S3Mock on port " + http + " (log " + log + ")")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> s.answers() || !p.isAlive());
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "S3Mock exited with " + p.exitValue() + ": " + Files.readString(log));
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The endpoint for the SDK (path-style addressing). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  private boolean answers() {
    try {
      HttpURLConnection c = (HttpURLConnection) endpoint().toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int code = c.getResponseCode();
      c.disconnect();
      return code == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** Freezes the process: it keeps its port and answers nothing until {@link #thaw()}. */
  public void freeze() {
    signal("STOP");
  }

  public void thaw() {
    signal("CONT");
  }

  private void signal(String sig) {
    try {
      Process k = new ProcessBuilder("kill", "-" + sig, String.valueOf(process.pid())).start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the server (this process only) and removes its store. */
  @Override
  public void close() {
    if (process.isAlive()) {
      thawQuietly();
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deleteQuietly(store);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  private void thawQuietly() {
    try {
      new ProcessBuilder("kill", "-CONT", String.valueOf(process.pid()))
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // it is being stopped anyway
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      TempDirs.deleteRecursively(dir);
    } catch (IOException e) {
      // left for TempDirs to delete at exit
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Where its output goes, for messages. */
  public Path log() {
    return log;
  }
}
