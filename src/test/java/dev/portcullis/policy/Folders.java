package dev.portcullis.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;

/** Policy folders for tests: the repository's rules/, changed in memory file by file. */
final class Folders {

  /** The wall clock tests load folders at, so exception limits are stable. */
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private Folders() {}

  /** A copy of the repository's rules/ folder. */
  static Map<String, byte[]> rules() {
    try {
      return new TreeMap<>(PolicySources.fromDirectory(Path.of("rules")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository's shared DRL only (no policies). */
  static Map<String, byte[]> sharedOnly() {
    Map<String, byte[]> files = new TreeMap<>();
    rules()
        .forEach(
            (k, v) -> {
              if (k.startsWith("shared/")) {
                files.put(k, v);
              }
            });
    return files;
  }

  static Map<String, byte[]> put(Map<String, byte[]> files, String path, String text) {
    files.put(path, text.getBytes(StandardCharsets.UTF_8));
    return files;
  }

  static String text(Map<String, byte[]> files, String path) {
    return new String(files.get(path), StandardCharsets.UTF_8);
  }

  static PolicyCompiler compiler(boolean strict) {
    return new PolicyCompiler(
        -1, Clock.fixed(NOW, ZoneOffset.UTC), strict, PolicyCompiler.DEFAULT_EXCEPTION_MAX_AHEAD);
  }

  /** A minimal valid policy.yaml. */
  static String metadata(String id, String enforcement, String eventNames) {
    return "id: "
        + id
        + "\ntitle: Test policy "
        + id
        + "\ndescription: A policy for tests.\nseverity: high\nenforcement: "
        + enforcement
        + "\nowner: platform-security\nrunbook: https://runbooks.example.com/"
        + id
        + "\ntags: [test]\nsources: [cloudtrail]\neventNames: "
        + eventNames
        + "\n";
  }
}
