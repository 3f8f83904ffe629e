package dev.portcullis.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drools and KIE logging at WARNING, as the service configures them (application.properties):
 * otherwise the engine's debug logging formats every inserted fact and a benchmark measures
 * logging.
 */
final class QuietDrools {

  /** Kept referenced: the log manager holds loggers weakly, and a collected one loses its level. */
  private static final List<Logger> QUIET = new ArrayList<>();

  private QuietDrools() {}

  static synchronized void apply() {
    if (!QUIET.isEmpty()) {
      return;
    }
    for (String category : List.of("org.drools", "org.kie")) {
      Logger logger = Logger.getLogger(category);
      logger.setLevel(Level.WARNING);
      QUIET.add(logger);
    }
  }
}
