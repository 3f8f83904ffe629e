package dev.portcullis.enrich;

import java.time.Duration;

/**
 * A token bucket: {@code perSecond} permits a second, up to {@code burst} saved up. A caller waits
 * at most the given time for a permit and is refused after that, so an outbound API is never asked
 * more often than its quota and a caller is never held for long. Thread-safe.
 */
public final class RateLimiter {

  private final double perNano;
  private final double burst;
  private final Ticker ticker;
  private double tokens;
  private long last;

  /** Nanosecond time source (a test may step it). */
  public interface Ticker {
    long nanos();

    Ticker SYSTEM = System::nanoTime;
  }

  public RateLimiter(double perSecond, double burst, Ticker ticker) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate must be positive and burst at least 1");
    }
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.ticker = ticker;
    this.tokens = burst;
    this.last = ticker.nanos();
  }

  /** Takes a permit now if one is available. */
  public synchronized boolean tryAcquire() {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * Takes a permit, waiting up to {@code maxWait} for one.
   *
   * @return false when none came in time (or the thread was interrupted)
   */
  public boolean acquire(Duration maxWait) {
    long deadline = ticker.nanos() + maxWait.toNanos();
    while (true) {
      long waitNanos;
      synchronized (this) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          return true;
        }
        waitNanos = (long) Math.ceil((1 - tokens) / perNano);
      }
      long left = deadline - ticker.nanos();
      if (waitNanos > left) {
        return false;
      }
      try {
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private void refill() {
    long now = ticker.nanos();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
  }
}
