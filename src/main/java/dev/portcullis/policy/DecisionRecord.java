package dev.portcullis.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.portcullis.event.Actor;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.Outcome;
import dev.portcullis.event.Target;
import java.time.Instant;
import java.util.List;

/**
 * The audit-trail record of one change event: who did what to which resource, and every decision
 * the policies made about it (an empty list when none objected). Written to the decisions topic
 * keyed by {@code eventId}, and returned by {@code POST /v1/evaluate}.
 *
 * @param eventId the change event's id
 * @param source {@code cloudtrail} or {@code k8s-audit}
 * @param eventTime when the change happened (the time decisions are judged by)
 * @param eventTimeEstimated true when the event had no readable time and the arrival time stands in
 * @param receivedAt when the input reached Portcullis (the Kafka record time on the stream)
 * @param decidedAt when the decision was made
 * @param actor who made the change
 * @param action the API call or verb
 * @param service the API that was called
 * @param target what it touched
 * @param outcome how the request ended
 * @param policyVersion version of the policies that judged it
 * @param decisions the policies' findings
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecisionRecord(
    String eventId,
    String source,
    Instant eventTime,
    Boolean eventTimeEstimated,
    Instant receivedAt,
    Instant decidedAt,
    Actor actor,
    String action,
    String service,
    Target target,
    Outcome outcome,
    String policyVersion,
    List<Decision> decisions) {

  public static DecisionRecord of(
      ChangeEvent e,
      Instant receivedAt,
      Instant decidedAt,
      String policyVersion,
      List<Decision> decisions) {
    return of(e, e.getId(), e.getSource(), receivedAt, decidedAt, policyVersion, decisions);
  }

  /**
   * A record about the event written apart from its own (a decision that fell due later, a revert):
   * its own id and source, received and decided {@code now}.
   */
  public static DecisionRecord about(
      ChangeEvent e,
      String id,
      String source,
      Instant now,
      String policyVersion,
      List<Decision> decisions) {
    return of(e, id, source, now, now, policyVersion, decisions);
  }

  private static DecisionRecord of(
      ChangeEvent e,
      String id,
      String source,
      Instant receivedAt,
      Instant decidedAt,
      String policyVersion,
      List<Decision> decisions) {
    return new DecisionRecord(
        id,
        source,
        e.getEventTime(),
        e.isEventTimeEstimated() ? Boolean.TRUE : null,
        receivedAt,
        decidedAt,
        e.getActor(),
        e.getAction(),
        e.getService(),
        e.getTarget(),
        e.getOutcome(),
        policyVersion,
        decisions);
  }
}
