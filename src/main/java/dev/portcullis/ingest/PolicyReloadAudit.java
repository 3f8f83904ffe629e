package dev.portcullis.ingest;

import dev.portcullis.event.Actor;
import dev.portcullis.event.Outcome;
import dev.portcullis.event.Target;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.PolicyReloadApplied;
import dev.portcullis.policy.PolicyReloadRejected;
import dev.portcullis.policy.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Records policy reloads on the decisions topic, so the audit trail shows when the policies in
 * force changed and when someone tried to change them and the change did not take effect. Each
 * record has the shape of a decision record: source {@code portcullis}, action {@code
 * policy-reload}, target the policy folder, and one {@code audit} decision. A reload that took
 * effect has a succeeded outcome, the new version and the policies added, removed and changed; a
 * rejected one has a failed outcome, the version still in force and every problem with its file and
 * line. Keyed by its own id ({@code policy-reload-<version>-<epoch millis>}, the version
 * attempted). The policies loaded at start-up are not recorded (every decision record names its
 * version).
 *
 * <p>Writes through {@link DecisionRecordWriter}.
 */
@ApplicationScoped
public class PolicyReloadAudit {

  /** Source of records Portcullis writes about itself. */
  public static final String SOURCE = "portcullis";

  /** Action of a policy reload record. */
  public static final String ACTION = "policy-reload";

  /** Pseudo-policy of the audit decision. */
  public static final String POLICY = "portcullis-policy-reload";

  private static final Logger LOG = Logger.getLogger(PolicyReloadAudit.class);

  private final DecisionRecordWriter writer;
  private final Counter failures;

  @Inject
  public PolicyReloadAudit(DecisionRecordWriter writer, MeterRegistry registry) {
    this.writer = writer;
    this.failures =
        Counter.builder("portcullis.policy.reload.audit.failures")
            .description("Policy reloads that could not be recorded on the decisions topic")
            .register(registry);
  }

  void onRejected(@Observes PolicyReloadRejected r) {
    write(toRecord(r));
  }

  void onApplied(@Observes PolicyReloadApplied r) {
    write(toRecord(r));
  }

  private void write(DecisionRecord record) {
    writer
        .write(record)
        .whenComplete(
            (ok, t) -> {
              if (t != null) {
                failures.increment();
                LOG.errorf(t, "The policy reload record %s was not written", record.eventId());
              }
            });
  }

  static DecisionRecord toRecord(PolicyReloadApplied r) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("trigger", r.trigger());
    details.put("previousVersion", r.previousVersion());
    details.put("version", r.version());
    details.put("added", r.added());
    details.put("removed", r.removed());
    details.put("changed", r.changed());
    List<String> parts = new ArrayList<>();
    if (!r.added().isEmpty()) {
      parts.add("added " + String.join(", ", r.added()));
    }
    if (!r.removed().isEmpty()) {
      parts.add("removed " + String.join(", ", r.removed()));
    }
    if (!r.changed().isEmpty()) {
      parts.add("changed " + String.join(", ", r.changed()));
    }
    String summary =
        "The policies changed from version "
            + r.previousVersion()
            + " to "
            + r.version()
            + " ("
            + (parts.isEmpty() ? "rule texts only" : String.join("; ", parts))
            + "), reloaded by "
            + r.trigger();
    Decision d =
        new Decision(
            POLICY,
            Enforcement.AUDIT,
            Enforcement.AUDIT,
            Severity.INFO,
            summary,
            "Policies reloaded",
            null,
            null,
            details);
    return reloadRecord(
        r.version(),
        r.at(),
        r.trigger(),
        r.origin(),
        new Outcome(true, null, null, null, false, null),
        r.version(),
        d);
  }

  static DecisionRecord toRecord(PolicyReloadRejected r) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("trigger", r.trigger());
    details.put("keptVersion", r.keptVersion());
    details.put("attemptedVersion", r.attemptedVersion());
    details.put("problems", r.problems());
    String first = r.problems().isEmpty() ? "unknown problem" : r.problems().get(0);
    String summary =
        "A policy change was rejected ("
            + r.problems().size()
            + " problem"
            + (r.problems().size() == 1 ? "" : "s")
            + ", first: "
            + first
            + "); the policies at version "
            + r.keptVersion()
            + " stay in force";
    Decision d =
        new Decision(
            POLICY,
            Enforcement.AUDIT,
            Enforcement.AUDIT,
            Severity.HIGH,
            summary,
            "Policy reload rejected",
            null,
            null,
            details);
    return reloadRecord(
        r.attemptedVersion(),
        r.at(),
        r.trigger(),
        r.origin(),
        new Outcome(false, "policy-load-error", first, null, false, null),
        r.keptVersion(),
        d);
  }

  private static DecisionRecord reloadRecord(
      String attempted,
      Instant at,
      String trigger,
      String origin,
      Outcome outcome,
      String versionInForce,
      Decision d) {
    return new DecisionRecord(
        ACTION + "-" + attempted + "-" + at.toEpochMilli(),
        SOURCE,
        at,
        null,
        at,
        at,
        Actor.builder().principal(SOURCE + "/" + trigger).type(Actor.Type.SYSTEM).build(),
        ACTION,
        SOURCE,
        Target.builder().type("Portcullis::Policies").name(origin).build(),
        outcome,
        versionInForce,
        List.of(d));
  }
}
