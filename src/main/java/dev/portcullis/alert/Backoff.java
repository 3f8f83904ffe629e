package dev.portcullis.alert;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the n-th retry waits a random time between half and all of
 * {@code min(max, initial * 2^(n-1))}, so many instances retrying one sink spread out instead of
 * hitting it in step, and the wait never collapses to nothing.
 */
final class Backoff {

  private final long initialNanos;
  private final long maxNanos;
  private final DoubleSupplier random;

  /**
   * @param random uniform in [0, 1)
   */
  Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initialNanos = Math.max(1, initial.toNanos());
    this.maxNanos = Math.max(this.initialNanos, max.toNanos());
    this.random = random;
  }

  /** The wait before retry number {@code attempt} (1 for the first retry). */
  Duration delay(int attempt) {
    long ceiling = ceiling(attempt);
    long half = ceiling / 2;
    return Duration.ofNanos(half + (long) (random.getAsDouble() * (ceiling - half)));
  }

  /** The longest wait before retry number {@code attempt}. */
  long ceiling(int attempt) {
    int doublings = Math.max(0, attempt - 1);
    if (doublings >= 62 || initialNanos > (maxNanos >> Math.min(doublings, 62))) {
      return maxNanos;
    }
    return Math.min(maxNanos, initialNanos << doublings);
  }
}
