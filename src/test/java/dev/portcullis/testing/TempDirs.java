package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Temporary folders for tests and benchmarks (brokers' logs, Kafka Streams state, S3Mock's store),
 * deleted with what is in them when the JVM exits (not after a kill -9), after the resources that
 * write there ({@link #closeAtExit}) are closed. A benchmark's broker writes gigabytes an hour, and
 * an hour-long soak's leftovers filled this machine's disk on 2026-12-06; the tests' brokers leave
 * a few megabytes each, on every run.
 */
public final class TempDirs {

  private static final List<Path> CREATED = new CopyOnWriteArrayList<>();
  private static final Deque<AutoCloseable> CLOSE_FIRST = new ConcurrentLinkedDeque<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::deleteAll, "temp-dirs"));
  }

  /** A new folder in the system's temporary folder, deleted at exit. */
  public static Path create(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    CREATED.add(dir);
    return dir;
  }

  /**
   * Closes {@code resource} at exit before the folders are deleted (the last registered first).
   * Shutdown hooks of their own would run alongside the deletion, in no order: with the test broker
   * stopped by a hook of its own while its log folder was deleted, the test JVM exited non-zero in
   * CI after every test had passed.
   */
  public static void closeAtExit(AutoCloseable resource) {
    CLOSE_FIRST.push(resource);
  }

  private static void deleteAll() {
    for (AutoCloseable r = CLOSE_FIRST.poll(); r != null; r = CLOSE_FIRST.poll()) {
      try {
        r.close();
      } catch (Exception e) {
        System.err.println("[temp-dirs] could not close " + r + ": " + e);
      }
    }
    for (Path dir : CREATED) {
      try {
        deleteRecursively(dir);
      } catch (IOException | UncheckedIOException e) {
        System.err.println("[temp-dirs] could not delete " + dir + ": " + e);
      }
    }
  }

  /** Deletes {@code dir} and everything under it; nothing if it does not exist. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private TempDirs() {}
}
