package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.event.Target;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DedupKeysTest {

  @Test
  void theKeyIsTheSha256OfPolicyAndTargetAndNeverChangesBetweenVersions() {
    String key = DedupKeys.of("cloudtrail-stopped", Alerts.trail("org-trail"));
    assertThat(key)
        .isEqualTo(
            DedupKeys.sha256(
                "portcullis-alert/v1\ncloudtrail-stopped\n"
                    + "type=22:AWS::CloudTrail::Trail\n"
                    + "account=12:111122223333\n"
                    + "region=9:eu-west-1\n"
                    + "arn=57:arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail\n"
                    + "name=9:org-trail\n"));
    // Pinned: PagerDuty alerts, Alertmanager labels and the state topic hold this key; a release
    // that changed it would page every open problem again.
    assertThat(key).isEqualTo("4871ffd2206aaa1fde2de4ca496aeb09aa3a31cb7781f220dc6f86871db111e3");
  }

  @Test
  void fieldOrderInTheInputDoesNotMatter() {
    Map<String, String> reversed = new LinkedHashMap<>();
    List<Map.Entry<String, String>> entries = new ArrayList<>(Alerts.trail("t").entrySet());
    Collections.reverse(entries);
    entries.forEach(e -> reversed.put(e.getKey(), e.getValue()));
    assertThat(DedupKeys.of("p", reversed)).isEqualTo(DedupKeys.of("p", Alerts.trail("t")));
  }

  @Test
  void anotherPolicyOrAnotherTargetIsAnotherProblem() {
    String key = DedupKeys.of("p", Alerts.trail("a"));
    assertThat(DedupKeys.of("q", Alerts.trail("a"))).isNotEqualTo(key);
    assertThat(DedupKeys.of("p", Alerts.trail("b"))).isNotEqualTo(key);
  }

  @Test
  void valuesCannotBeShiftedBetweenFieldsToCollide() {
    Target a = Target.builder().namespace("a\nname=b").build();
    Target b = Target.builder().namespace("a").name("b").build();
    assertThat(DedupKeys.of("p", a)).isNotEqualTo(DedupKeys.of("p", b));
  }

  @Test
  void aTargetAndItsFieldsGiveTheSameKeyAndReference() {
    Target t =
        Target.builder()
            .type("secrets")
            .namespace("prod")
            .resource("secrets")
            .name("db-password")
            .build();
    Map<String, String> fields = DedupKeys.fields(t);
    assertThat(DedupKeys.of("p", t)).isEqualTo(DedupKeys.of("p", fields));
    assertThat(DedupKeys.describe(fields))
        .isEqualTo(t.describe())
        .isEqualTo("prod/secrets/db-password");
  }
}
