package dev.portcullis.alert;

import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which triggers one sink gets: by severity, effective action, policy id, tags and owner. An {@code
 * audit} decision never alerts, whatever the route says.
 */
record SinkRoute(
    Severity minSeverity,
    Set<Enforcement> actions,
    List<String> policies,
    List<String> excludePolicies,
    List<String> tags,
    List<String> owners) {

  SinkRoute {
    actions = actions.isEmpty() ? EnumSet.noneOf(Enforcement.class) : EnumSet.copyOf(actions);
    actions.remove(Enforcement.AUDIT);
    policies = List.copyOf(policies);
    excludePolicies = List.copyOf(excludePolicies);
    tags = List.copyOf(tags);
    owners = List.copyOf(owners);
  }

  static SinkRoute of(AlertConfig.Route r) {
    return new SinkRoute(
        r.minSeverity(),
        r.actions().isEmpty() ? Set.of() : EnumSet.copyOf(r.actions()),
        r.policies().orElse(List.of()),
        r.excludePolicies().orElse(List.of()),
        r.tags().orElse(List.of()),
        r.owners().orElse(List.of()));
  }

  /** Every alerting decision. */
  static SinkRoute all() {
    return new SinkRoute(
        Severity.INFO,
        EnumSet.of(Enforcement.BLOCK, Enforcement.ALERT),
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  boolean accepts(PendingAlert a) {
    if (a.action() == null || !actions.contains(a.action())) {
      return false;
    }
    // Severity is declared worst first: a lower ordinal is worse.
    Severity s = a.severity() == null ? Severity.INFO : a.severity();
    if (s.ordinal() > minSeverity.ordinal()) {
      return false;
    }
    if (!policies.isEmpty() && !policies.contains(a.policy())) {
      return false;
    }
    if (excludePolicies.contains(a.policy())) {
      return false;
    }
    if (!tags.isEmpty() && a.tags().stream().noneMatch(tags::contains)) {
      return false;
    }
    return owners.isEmpty() || (a.owner() != null && owners.contains(a.owner()));
  }
}
