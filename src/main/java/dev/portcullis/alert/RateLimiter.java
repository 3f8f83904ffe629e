package dev.portcullis.alert;

/**
 * Token bucket: {@code perSecond} calls per second on average, up to {@code burst} at once after a
 * quiet time. {@link #reserve} takes a token and says how long to wait for it, so a caller sleeps
 * instead of dropping anything. Time comes from the caller (nanoseconds of a monotonic clock).
 * Thread-safe.
 */
final class RateLimiter {

  private final double nanosPerToken;
  private final double burst;
  private double tokens;
  private long last;
  private boolean started;

  RateLimiter(double perSecond, int burst) {
    this.nanosPerToken = perSecond <= 0 ? 0 : 1e9 / perSecond;
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
  }

  /** Takes one token; returns the nanoseconds to wait before using it (0: use it now). */
  synchronized long reserve(long now) {
    if (nanosPerToken == 0) {
      return 0; // unlimited
    }
    if (started) {
      tokens = Math.min(burst, tokens + (now - last) / nanosPerToken);
    }
    started = true;
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * nanosPerToken);
  }
}
