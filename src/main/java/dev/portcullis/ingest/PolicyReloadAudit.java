package dev.portcullis.ingest;

import dev.portcullis.event.Actor;
import dev.portcullis.event.Outcome;
import dev.portcullis.event.Target;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.PolicyReloadRejected;
import dev.portcullis.policy.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Records a rejected policy reload on the decisions topic, so the audit trail shows that someone
 * tried to change the policies and the change did not take effect. The record has the shape of a
 * decision record: source {@code portcullis}, action {@code policy-reload}, a failed outcome, the
 * version still in force, and one {@code audit} decision listing every problem with its file and
 * line. Keyed by its own id ({@code policy-reload-<attempted version>-<epoch millis>}).
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
            .description(
                "Rejected policy reloads that could not be recorded on the decisions topic")
            .register(registry);
  }

  void onRejected(@Observes PolicyReloadRejected r) {
    DecisionRecord record = toRecord(r);
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
    return new DecisionRecord(
        ACTION + "-" + r.attemptedVersion() + "-" + r.at().toEpochMilli(),
        SOURCE,
        r.at(),
        null,
        r.at(),
        r.at(),
        Actor.builder().principal(SOURCE + "/" + r.trigger()).type(Actor.Type.SYSTEM).build(),
        ACTION,
        SOURCE,
        Target.builder().type("Portcullis::Policies").name(r.origin()).build(),
        new Outcome(false, "policy-load-error", first, null, false, null),
        r.keptVersion(),
        List.of(d));
  }
}
