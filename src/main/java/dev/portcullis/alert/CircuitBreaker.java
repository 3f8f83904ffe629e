package dev.portcullis.alert;

import java.time.Duration;

/**
 * One sink's circuit breaker. Closed: calls go through and consecutive failures are counted. Open
 * (after {@code threshold} consecutive failures): no call for {@code openFor}. Then half-open: one
 * trial call; success closes it, failure opens it again. Time comes from the caller (nanoseconds of
 * a monotonic clock). Thread-safe.
 */
final class CircuitBreaker {

  /** Circuit states; {@link #wireName()} is what health and metrics show. */
  enum State {
    CLOSED,
    OPEN,
    HALF_OPEN;

    String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  private final int threshold;
  private final long openForNanos;
  private State state = State.CLOSED;
  private int failures;
  private long openUntil;

  CircuitBreaker(int threshold, Duration openFor) {
    this.threshold = Math.max(1, threshold);
    this.openForNanos = Math.max(0, openFor.toNanos());
  }

  /** Nanoseconds to wait before the next call may go; 0 when it may go now. */
  synchronized long waitNanos(long now) {
    if (state == State.OPEN) {
      if (now - openUntil >= 0) {
        state = State.HALF_OPEN;
        return 0;
      }
      return openUntil - now;
    }
    return 0;
  }

  synchronized void success() {
    failures = 0;
    state = State.CLOSED;
  }

  /** Records a failed call. */
  synchronized void failure(long now) {
    failures++;
    if (state == State.HALF_OPEN || failures >= threshold) {
      state = State.OPEN;
      openUntil = now + openForNanos;
    }
  }

  synchronized State state() {
    return state;
  }

  synchronized int consecutiveFailures() {
    return failures;
  }
}
