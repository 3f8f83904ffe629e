package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared corpus of real third-party events ({@code ../shared/corpus}, or the folder named by
 * the system property {@code test.corpus.dir}). Tests read it in place; it is never copied into the
 * repository.
 */
public final class Corpus {

  /** One corpus line: its reference ({@code cloudtrail/panther.jsonl#12}) and its JSON text. */
  public record Line(String ref, String json) {}

  private Corpus() {}

  private static final AtomicBoolean TOLD = new AtomicBoolean();

  /**
   * The corpus folder. Where it is missing, the calling test is skipped (aborted), and the first
   * skip prints one line naming the folder and why; on CI ({@code CI=true}), which always has the
   * corpus, a missing corpus fails instead, so it can never pass quietly there.
   */
  public static Path dir() {
    String configured = System.getProperty("test.corpus.dir");
    Path dir = configured != null ? Path.of(configured) : Path.of("../shared/corpus");
    if (!Files.isDirectory(dir.resolve("cloudtrail"))) {
      String why =
          "the event corpus is missing at "
              + dir.toAbsolutePath().normalize()
              + " (../shared/corpus; set -Dtest.corpus.dir=<dir> elsewhere)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("On CI " + why);
      }
      if (TOLD.compareAndSet(false, true)) {
        System.out.println(
            "[corpus] SKIPPED: tests that read real third-party events (CorpusParseTest,"
                + " CorpusVerdictsTest, CorpusThroughKafkaTest and the corpus checks of other"
                + " classes) are skipped: "
                + why);
      }
      Assumptions.abort("skipped: " + why);
    }
    return dir;
  }

  /** Every line of every {@code .jsonl} file under {@code corpus/<kind>/}. */
  public static List<Line> lines(String kind) {
    Path base = dir();
    List<Line> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(base.resolve(kind))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          if (!lines.get(i).isBlank()) {
            out.add(new Line(base.relativize(f) + "#" + (i + 1), lines.get(i)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
