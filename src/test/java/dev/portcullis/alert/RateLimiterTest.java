package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

  static final long S = 1_000_000_000L;

  @Test
  void aBurstGoesAtOnceThenCallsArePacedAtTheRate() {
    RateLimiter r = new RateLimiter(2, 3);
    assertThat(r.reserve(0)).isZero();
    assertThat(r.reserve(0)).isZero();
    assertThat(r.reserve(0)).isZero();
    assertThat(r.reserve(0)).isEqualTo(S / 2);
    assertThat(r.reserve(0)).isEqualTo(S);
  }

  @Test
  void tokensComeBackWithTimeButNeverBeyondTheBurst() {
    RateLimiter r = new RateLimiter(1, 2);
    r.reserve(0);
    r.reserve(0);
    assertThat(r.reserve(100 * S)).isZero();
    assertThat(r.reserve(100 * S)).isZero();
    assertThat(r.reserve(100 * S)).isEqualTo(S);
  }

  @Test
  void zeroMeansUnlimited() {
    RateLimiter r = new RateLimiter(0, 1);
    for (int i = 0; i < 1000; i++) {
      assertThat(r.reserve(0)).isZero();
    }
  }
}
