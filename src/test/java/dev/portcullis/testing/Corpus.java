package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared corpus of real third-party events ({@code ../shared/corpus}, or the folder named by
 * the system property {@code test.corpus.dir}). Tests read it in place; it is never copied into the
 * repository.
 */
public final class Corpus {

  /** One corpus line: its reference ({@code cloudtrail/panther.jsonl#12}) and its JSON text. */
  public record Line(String ref, String json) {}

  private Corpus() {}

  public static Path dir() {
    String configured = System.getProperty("test.corpus.dir");
    Path dir = configured != null ? Path.of(configured) : Path.of("../shared/corpus");
    if (!Files.isDirectory(dir.resolve("cloudtrail"))) {
      throw new IllegalStateException(
          "The event corpus is missing at "
              + dir.toAbsolutePath().normalize()
              + ": these tests need ../shared/corpus (set -Dtest.corpus.dir=<dir> elsewhere)");
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
