package dev.portcullis.alert;

import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pending alerts and states for plain unit tests. */
final class Alerts {

  private Alerts() {}

  static Map<String, String> trail(String name) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("type", "AWS::CloudTrail::Trail");
    t.put("account", "111122223333");
    t.put("region", "eu-west-1");
    t.put("arn", "arn:aws:cloudtrail:eu-west-1:111122223333:trail/" + name);
    t.put("name", name);
    return t;
  }

  static PendingAlert trigger(String trail, Instant at) {
    return trigger("cloudtrail-stopped", trail, at, Severity.HIGH, Enforcement.ALERT);
  }

  static PendingAlert trigger(
      String policy, String trail, Instant at, Severity severity, Enforcement action) {
    Map<String, String> target = trail(trail);
    return new PendingAlert(
        PendingAlert.Kind.TRIGGER,
        DedupKeys.of(policy, target),
        policy,
        "CloudTrail logging stopped or a trail deleted",
        severity,
        action,
        action,
        "ops-alice ran StopLogging on trail " + trail,
        "https://example.com/runbooks#" + policy,
        "CloudTrail logging stopped or trail deleted",
        Map.of("trail", trail),
        "platform-security",
        List.of("aws", "cloudtrail"),
        "PT1H",
        "event-" + at.toEpochMilli(),
        "cloudtrail",
        at,
        "StopLogging",
        "cloudtrail.amazonaws.com",
        new PendingAlert.AlertActor(
            "arn:aws:sts::111122223333:assumed-role/Ops/ops-alice",
            "ops-alice",
            "human",
            "203.0.113.7",
            "aws-cli/2.15.0"),
        DedupKeys.describe(target),
        target,
        null);
  }
}
