package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  static final long S = 1_000_000_000L;

  @Test
  void opensAfterTheThresholdOfConsecutiveFailuresAndWaitsBeforeATrial() {
    CircuitBreaker c = new CircuitBreaker(3, Duration.ofSeconds(30));
    c.failure(0);
    c.failure(1);
    assertThat(c.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(c.waitNanos(2)).isZero();
    c.failure(10 * S);
    assertThat(c.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(c.waitNanos(20 * S)).isEqualTo(20 * S);
    assertThat(c.waitNanos(40 * S)).isZero();
    assertThat(c.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
  }

  @Test
  void aSuccessResetsTheCount() {
    CircuitBreaker c = new CircuitBreaker(3, Duration.ofSeconds(30));
    c.failure(0);
    c.failure(0);
    c.success();
    c.failure(0);
    c.failure(0);
    assertThat(c.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(c.consecutiveFailures()).isEqualTo(2);
  }

  @Test
  void aFailedTrialOpensItAgainAndASuccessfulOneClosesIt() {
    CircuitBreaker c = new CircuitBreaker(1, Duration.ofSeconds(30));
    c.failure(0);
    c.waitNanos(31 * S);
    assertThat(c.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    c.failure(31 * S);
    assertThat(c.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(c.waitNanos(32 * S)).isEqualTo(29 * S);
    c.waitNanos(62 * S);
    c.success();
    assertThat(c.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(c.consecutiveFailures()).isZero();
  }
}
