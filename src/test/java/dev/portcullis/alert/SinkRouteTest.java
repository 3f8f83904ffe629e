package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkRouteTest {

  static final Instant T = Instant.parse("2026-11-20T09:14:02Z");

  static PendingAlert alert(Severity s, Enforcement a) {
    return Alerts.trigger("cloudtrail-stopped", "t", T, s, a);
  }

  static SinkRoute route(
      Severity min,
      EnumSet<Enforcement> actions,
      List<String> policies,
      List<String> exclude,
      List<String> tags,
      List<String> owners) {
    return new SinkRoute(min, actions, policies, exclude, tags, owners);
  }

  @Test
  void theDefaultRouteTakesEveryAlertAndBlockButNeverAudit() {
    SinkRoute all = SinkRoute.all();
    assertThat(all.accepts(alert(Severity.INFO, Enforcement.ALERT))).isTrue();
    assertThat(all.accepts(alert(Severity.CRITICAL, Enforcement.BLOCK))).isTrue();
    assertThat(all.accepts(alert(Severity.CRITICAL, Enforcement.AUDIT))).isFalse();
    SinkRoute evenIfAsked =
        route(
            Severity.INFO,
            EnumSet.allOf(Enforcement.class),
            List.of(),
            List.of(),
            List.of(),
            List.of());
    assertThat(evenIfAsked.accepts(alert(Severity.CRITICAL, Enforcement.AUDIT))).isFalse();
  }

  @Test
  void minimumSeverityKeepsLesserFindingsOut() {
    SinkRoute high =
        route(
            Severity.HIGH,
            EnumSet.of(Enforcement.ALERT, Enforcement.BLOCK),
            List.of(),
            List.of(),
            List.of(),
            List.of());
    assertThat(high.accepts(alert(Severity.CRITICAL, Enforcement.ALERT))).isTrue();
    assertThat(high.accepts(alert(Severity.HIGH, Enforcement.ALERT))).isTrue();
    assertThat(high.accepts(alert(Severity.MEDIUM, Enforcement.ALERT))).isFalse();
    assertThat(high.accepts(alert(Severity.INFO, Enforcement.ALERT))).isFalse();
  }

  @Test
  void onlyBlocksWhenAsked() {
    SinkRoute blocks =
        route(
            Severity.INFO,
            EnumSet.of(Enforcement.BLOCK),
            List.of(),
            List.of(),
            List.of(),
            List.of());
    assertThat(blocks.accepts(alert(Severity.HIGH, Enforcement.BLOCK))).isTrue();
    assertThat(blocks.accepts(alert(Severity.HIGH, Enforcement.ALERT))).isFalse();
  }

  @Test
  void policiesTagsAndOwnersSelect() {
    PendingAlert a = alert(Severity.HIGH, Enforcement.ALERT); // owner platform-security, tags aws
    EnumSet<Enforcement> both = EnumSet.of(Enforcement.ALERT, Enforcement.BLOCK);
    assertThat(
            route(
                    Severity.INFO,
                    both,
                    List.of("cloudtrail-stopped"),
                    List.of(),
                    List.of(),
                    List.of())
                .accepts(a))
        .isTrue();
    assertThat(
            route(Severity.INFO, both, List.of("other"), List.of(), List.of(), List.of())
                .accepts(a))
        .isFalse();
    assertThat(
            route(
                    Severity.INFO,
                    both,
                    List.of(),
                    List.of("cloudtrail-stopped"),
                    List.of(),
                    List.of())
                .accepts(a))
        .isFalse();
    assertThat(
            route(Severity.INFO, both, List.of(), List.of(), List.of("k8s", "aws"), List.of())
                .accepts(a))
        .isTrue();
    assertThat(
            route(Severity.INFO, both, List.of(), List.of(), List.of("k8s"), List.of()).accepts(a))
        .isFalse();
    assertThat(
            route(
                    Severity.INFO,
                    both,
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of("platform-security"))
                .accepts(a))
        .isTrue();
    assertThat(
            route(Severity.INFO, both, List.of(), List.of(), List.of(), List.of("team-a"))
                .accepts(a))
        .isFalse();
  }
}
