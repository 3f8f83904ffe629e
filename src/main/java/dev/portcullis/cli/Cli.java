package dev.portcullis.cli;

import dev.portcullis.policy.PolicyCompiler;
import dev.portcullis.policy.PolicySources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** What the authoring commands share: where the policies come from, and how they compile. */
final class Cli {

  /** The policies to work on and how to name their files in messages. */
  record Folder(Map<String, byte[]> files, String base, String origin) {}

  private Cli() {}

  /** Keeps library chatter (Drools, Kafka) off the author's terminal; warnings still show. */
  static void quietLogs() {
    Logger.getLogger("").setLevel(Level.WARNING);
    Logger.getLogger("org.drools").setLevel(Level.WARNING);
    Logger.getLogger("org.kie").setLevel(Level.WARNING);
  }

  /**
   * The folder named on the command line, else {@code ./rules}, else (only when none was named) the
   * policies bundled in the jar.
   */
  static Folder folder(String[] args) throws IOException {
    if (args.length > 0) {
      Path dir = Path.of(args[0]);
      if (!Files.isDirectory(dir)) {
        throw new IOException("no policies folder at " + dir.toAbsolutePath().normalize());
      }
      return new Folder(PolicySources.fromDirectory(dir), base(args[0]), dir.toString());
    }
    Path dir = Path.of("rules");
    if (Files.isDirectory(dir)) {
      return new Folder(PolicySources.fromDirectory(dir), "rules/", "rules");
    }
    return new Folder(PolicySources.bundled(), "(bundled) ", "the policies bundled in the jar");
  }

  private static String base(String arg) {
    String b = arg.replace('\\', '/');
    if (b.equals(".") || b.isEmpty()) {
      return "";
    }
    return b.endsWith("/") ? b : b + "/";
  }

  /**
   * A strict compiler: unknown CloudTrail event names are errors. The exception limit follows
   * {@code portcullis.policy.exceptions.max-ahead} (system property or {@code
   * PORTCULLIS_POLICY_EXCEPTIONS_MAX_AHEAD}), like the service.
   */
  static PolicyCompiler strictCompiler() {
    String v = System.getProperty("portcullis.policy.exceptions.max-ahead");
    if (v == null) {
      v = System.getenv("PORTCULLIS_POLICY_EXCEPTIONS_MAX_AHEAD");
    }
    Duration maxAhead = v == null ? PolicyCompiler.DEFAULT_EXCEPTION_MAX_AHEAD : Duration.parse(v);
    return new PolicyCompiler(-1, Clock.systemUTC(), true, maxAhead);
  }
}
