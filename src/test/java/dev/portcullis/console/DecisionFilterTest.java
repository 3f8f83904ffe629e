package dev.portcullis.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Events;
import org.junit.jupiter.api.Test;

class DecisionFilterTest {

  static RecentDecisions.Entry entry(String json) {
    return new RecentDecisions.Entry(1, "id", Events.read(json), 0, 0, null, null, null);
  }

  static final RecentDecisions.Entry ALERT =
      entry(
          "{\"source\":\"cloudtrail\",\"actor\":{\"name\":\"ops-alice\"},"
              + "\"target\":{\"bucket\":\"etcd-backups\"},\"decisions\":["
              + "{\"policy\":\"etcd-control-files\",\"action\":\"alert\",\"severity\":\"critical\"},"
              + "{\"policy\":\"manual-change\",\"action\":\"audit\",\"severity\":\"low\"}]}");
  static final RecentDecisions.Entry QUIET =
      entry("{\"source\":\"k8s-audit\",\"actor\":{\"name\":\"bob\"},\"decisions\":[]}");

  @Test
  void everyGivenFieldMustMatch() {
    assertThat(DecisionFilter.of(null, null, null, null, null, null).test(ALERT)).isTrue();
    assertThat(DecisionFilter.of("etcd-control-files", "", " ", null, null, null).test(ALERT))
        .isTrue();
    assertThat(DecisionFilter.of(null, null, null, "k8s-audit", null, null).test(ALERT)).isFalse();
    assertThat(DecisionFilter.of(null, null, null, null, "ALICE", "etcd").test(ALERT)).isTrue();
    assertThat(DecisionFilter.of(null, null, null, null, "bob", null).test(ALERT)).isFalse();
  }

  @Test
  void policyActionAndSeverityMustMatchOneFinding() {
    assertThat(
            DecisionFilter.of("etcd-control-files", "alert", "critical", null, null, null)
                .test(ALERT))
        .isTrue();
    // alert and low are both present, but not in one finding.
    assertThat(DecisionFilter.of(null, "alert", "low", null, null, null).test(ALERT)).isFalse();
    assertThat(DecisionFilter.of("manual-change", "block", null, null, null, null).test(ALERT))
        .isFalse();
  }

  @Test
  void noneMeansNoFinding() {
    assertThat(DecisionFilter.of("none", null, null, null, null, null).test(QUIET)).isTrue();
    assertThat(DecisionFilter.of("none", null, null, null, null, null).test(ALERT)).isFalse();
    assertThat(DecisionFilter.of(null, "alert", null, null, null, null).test(QUIET)).isFalse();
  }
}
