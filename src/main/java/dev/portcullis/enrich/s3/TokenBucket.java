package dev.portcullis.enrich.s3;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A rate limit: {@code perSecond} permits a second, up to one second's worth saved up. A caller
 * waits at most the time it gives; then it gets no permit. Thread-safe.
 */
final class TokenBucket {

  private final double perSecond;
  private final double capacity;
  private double tokens;
  private long last = System.nanoTime();

  TokenBucket(double perSecond) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("requests per second must be positive: " + perSecond);
    }
    this.perSecond = perSecond;
    this.capacity = Math.max(1, perSecond);
    this.tokens = capacity;
  }

  /** Takes a permit, waiting up to {@code maxWait}; false when none came in time. */
  boolean tryAcquire(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      long waitNanos;
      synchronized (this) {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) / 1e9 * perSecond);
        last = now;
        if (tokens >= 1) {
          tokens -= 1;
          return true;
        }
        waitNanos = (long) ((1 - tokens) / perSecond * 1e9);
        if (now + waitNanos > deadline) {
          return false;
        }
      }
      TimeUnit.NANOSECONDS.sleep(waitNanos);
    }
  }
}
