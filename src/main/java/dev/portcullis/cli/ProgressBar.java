package dev.portcullis.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar redrawn in place ({@code \r}) on a terminal: {@code reading
 * [#########.........] 45% 12,345 events}. Redrawn at most ten times a second; off when not asked
 * for, so piped output stays clean.
 */
final class ProgressBar implements AutoCloseable {

  private static final int WIDTH = 30;
  private static final long EVERY_NANOS = 100_000_000L;

  private final PrintStream out;
  private final boolean on;
  private final String label;
  private long total = 1;
  private long done;
  private long drawnAt;
  private String note = "";
  private boolean drawn;

  ProgressBar(PrintStream out, boolean on, String label) {
    this.out = out;
    this.on = on;
    this.label = label;
  }

  void total(long total) {
    this.total = Math.max(1, total);
  }

  void advance(long by, String note) {
    done += by;
    this.note = note;
    long now = System.nanoTime();
    if (on && (now - drawnAt >= EVERY_NANOS || !drawn)) {
      draw();
      drawnAt = now;
    }
  }

  private void draw() {
    double f = Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(f * WIDTH);
    out.print(
        "\r"
            + label
            + " ["
            + "#".repeat(filled)
            + ".".repeat(WIDTH - filled)
            + "] "
            + String.format("%3d%%", (int) Math.round(f * 100))
            + "  "
            + note
            + "   ");
    out.flush();
    drawn = true;
  }

  @Override
  public void close() {
    if (on) {
      done = total;
      draw();
      out.println();
    }
  }
}
