package dev.portcullis.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The token bucket that bounds outbound lookups, on a stepped clock. */
class RateLimiterTest {

  @Test
  void permitsAtTheRateWithABurst() {
    long[] now = {0};
    RateLimiter l = new RateLimiter(2, 3, () -> now[0]);
    assertThat(l.tryAcquire()).isTrue();
    assertThat(l.tryAcquire()).isTrue();
    assertThat(l.tryAcquire()).isTrue();
    assertThat(l.tryAcquire()).isFalse(); // the burst is spent
    now[0] += 500_000_000L; // half a second: one permit at 2 a second
    assertThat(l.tryAcquire()).isTrue();
    assertThat(l.tryAcquire()).isFalse();
    now[0] += 60_000_000_000L; // a long pause saves up no more than the burst
    for (int i = 0; i < 3; i++) {
      assertThat(l.tryAcquire()).isTrue();
    }
    assertThat(l.tryAcquire()).isFalse();
  }

  @Test
  void aCallerWaitsNoLongerThanItsLimit() {
    long[] now = {0};
    RateLimiter l = new RateLimiter(1, 1, () -> now[0]);
    assertThat(l.acquire(Duration.ZERO)).isTrue();
    // The next permit is a second away: a caller that may wait 100 ms is refused at once.
    assertThat(l.acquire(Duration.ofMillis(100))).isFalse();
  }

  @Test
  void nonsenseLimitsAreRefused() {
    assertThatThrownBy(() -> new RateLimiter(0, 1, RateLimiter.Ticker.SYSTEM))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
