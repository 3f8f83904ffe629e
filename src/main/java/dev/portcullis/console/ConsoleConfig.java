package dev.portcullis.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the web console under {@code portcullis.console}. */
@ConfigMapping(prefix = "portcullis.console")
public interface ConsoleConfig {

  /**
   * Read the decisions topic for the console (the live stream, the decisions list, the charts).
   * Off, the console pages still load but show no decisions.
   */
  @WithDefault("true")
  boolean enabled();

  /** How many of the latest decision records the console keeps in memory to list and show. */
  @WithDefault("2000")
  int recent();

  /**
   * How many records per partition of the decisions topic are read back at start, so the console is
   * not empty after a restart.
   */
  @WithDefault("500")
  int readBack();

  /** How long a console login lasts (only when {@code portcullis.api.token} is set). */
  @WithDefault("12h")
  Duration session();
}
