package dev.portcullis.enforce.revert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The limit on fighting an IaC tool, by event time. */
class IacReapplyLimitTest {

  static final Instant T = Instant.parse("2026-11-20T09:00:00Z");
  static final String KEY = IacReapplyLimit.key("p", "bucket b", "role/terraform-ci");

  @Test
  void twoRevertsInAnHourThenNoMoreUntilTheWindowHasPassed() {
    IacReapplyLimit limit = new IacReapplyLimit(2, Duration.ofHours(1), 100);
    assertThat(limit.allows(KEY, T)).isTrue();
    limit.record(KEY, T);
    assertThat(limit.allows(KEY, T.plusSeconds(600))).isTrue();
    limit.record(KEY, T.plusSeconds(600));
    assertThat(limit.allows(KEY, T.plusSeconds(1200))).isFalse();
    assertThat(limit.count(KEY, T.plusSeconds(1200))).isEqualTo(2);
    // An hour after the first revert only the second one is within the window.
    assertThat(limit.allows(KEY, T.plusSeconds(3600))).isTrue();
    assertThat(limit.count(KEY, T.plusSeconds(3600))).isEqualTo(1);
    // Long after both: free again.
    assertThat(limit.count(KEY, T.plus(Duration.ofDays(1)))).isZero();
  }

  @Test
  void aLateEventCountsRevertsAfterItToo() {
    IacReapplyLimit limit = new IacReapplyLimit(1, Duration.ofHours(1), 100);
    limit.record(KEY, T);
    assertThat(limit.allows(KEY, T.minusSeconds(60))).isFalse();
  }

  @Test
  void otherResourcesAndIdentitiesHaveTheirOwnCount() {
    IacReapplyLimit limit = new IacReapplyLimit(1, Duration.ofHours(1), 100);
    limit.record(KEY, T);
    assertThat(limit.allows(KEY, T)).isFalse();
    assertThat(limit.allows(IacReapplyLimit.key("p", "bucket c", "role/terraform-ci"), T)).isTrue();
    assertThat(limit.allows(IacReapplyLimit.key("p", "bucket b", "role/pulumi"), T)).isTrue();
  }

  @Test
  void zeroMeansNeverRevertIacChanges() {
    IacReapplyLimit limit = new IacReapplyLimit(0, Duration.ofHours(1), 100);
    assertThat(limit.allows(KEY, T)).isFalse();
  }

  @Test
  void forgetsTheLeastRecentlyUsedBeyondItsBound() {
    IacReapplyLimit limit = new IacReapplyLimit(1, Duration.ofHours(1), 2);
    limit.record("a", T);
    limit.record("b", T);
    limit.record("c", T);
    assertThat(limit.count("a", T)).isZero();
    assertThat(limit.count("c", T)).isEqualTo(1);
  }
}
