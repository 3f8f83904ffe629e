package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void theCeilingDoublesPerAttemptUpToTheMaximum() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);
    assertThat(b.ceiling(1)).isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(b.ceiling(2)).isEqualTo(Duration.ofSeconds(2).toNanos());
    assertThat(b.ceiling(5)).isEqualTo(Duration.ofSeconds(16).toNanos());
    assertThat(b.ceiling(9)).isEqualTo(Duration.ofSeconds(256).toNanos());
    assertThat(b.ceiling(10)).isEqualTo(Duration.ofMinutes(5).toNanos());
    assertThat(b.ceiling(10_000)).isEqualTo(Duration.ofMinutes(5).toNanos());
  }

  @Test
  void jitterKeepsEveryWaitBetweenHalfAndAllOfTheCeiling() {
    Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.0);
    Backoff high = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.999999);
    for (int attempt = 1; attempt < 40; attempt++) {
      long ceiling = low.ceiling(attempt);
      assertThat(low.delay(attempt).toNanos()).isEqualTo(ceiling / 2);
      assertThat(high.delay(attempt).toNanos()).isBetween(ceiling / 2, ceiling);
      assertThat(high.delay(attempt).toNanos()).isGreaterThan(ceiling * 9 / 10);
    }
  }

  @Test
  void twoRetriersWithDifferentRandomnessWaitDifferently() {
    Backoff a = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.1);
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.9);
    assertThat(a.delay(4)).isNotEqualTo(b.delay(4));
  }
}
