package dev.portcullis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.event.Actor;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.Outcome;
import dev.portcullis.event.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Compares two {@link ChangeEvent}s getter by getter, including every getter of their {@link
 * Actor}, {@link Target} and {@link Outcome}; JSON trees by value and kind (a missing tree is not a
 * JSON null).
 */
public final class EventFields {

  private EventFields() {}

  /** The getters whose values differ, as {@code actor.type: a != b}; empty when none. */
  public static List<String> differences(ChangeEvent a, ChangeEvent b) {
    List<String> out = new ArrayList<>();
    check(out, "id", a.getId(), b.getId());
    check(out, "idFromContent", a.isIdFromContent(), b.isIdFromContent());
    check(out, "source", a.getSource(), b.getSource());
    check(out, "eventTime", a.getEventTime(), b.getEventTime());
    check(out, "eventTimeEstimated", a.isEventTimeEstimated(), b.isEventTimeEstimated());
    check(out, "service", a.getService(), b.getService());
    check(out, "action", a.getAction(), b.getAction());
    check(out, "readOnly", a.isReadOnly(), b.isReadOnly());
    tree(out, "request", a.getRequest(), b.getRequest());
    tree(out, "response", a.getResponse(), b.getResponse());
    tree(out, "raw", a.getRaw(), b.getRaw());
    check(out, "redacted", a.getRedacted(), b.getRedacted());
    check(out, "effectiveWrite", a.isEffectiveWrite(), b.isEffectiveWrite());
    check(out, "toString", a.toString(), b.toString());

    Actor x = a.getActor();
    Actor y = b.getActor();
    check(out, "actor.principal", x.getPrincipal(), y.getPrincipal());
    check(out, "actor.type", x.getType(), y.getType());
    check(out, "actor.name", x.getName(), y.getName());
    check(out, "actor.account", x.getAccount(), y.getAccount());
    check(out, "actor.userAgent", x.getUserAgent(), y.getUserAgent());
    check(out, "actor.sourceIp", x.getSourceIp(), y.getSourceIp());
    check(out, "actor.console", x.isConsole(), y.isConsole());
    check(out, "actor.iacTool", x.getIacTool(), y.getIacTool());
    check(out, "actor.sessionIssuer", x.getSessionIssuer(), y.getSessionIssuer());
    check(out, "actor.impersonatedBy", x.getImpersonatedBy(), y.getImpersonatedBy());
    check(out, "actor.groups", x.getGroups(), y.getGroups());
    check(out, "actor.human", x.isHuman(), y.isHuman());

    Target s = a.getTarget();
    Target t = b.getTarget();
    check(out, "target.type", s.getType(), t.getType());
    check(out, "target.account", s.getAccount(), t.getAccount());
    check(out, "target.region", s.getRegion(), t.getRegion());
    check(out, "target.arn", s.getArn(), t.getArn());
    check(out, "target.bucket", s.getBucket(), t.getBucket());
    check(out, "target.key", s.getKey(), t.getKey());
    check(out, "target.hostedZoneId", s.getHostedZoneId(), t.getHostedZoneId());
    check(out, "target.recordName", s.getRecordName(), t.getRecordName());
    check(out, "target.namespace", s.getNamespace(), t.getNamespace());
    check(out, "target.name", s.getName(), t.getName());
    check(out, "target.apiGroup", s.getApiGroup(), t.getApiGroup());
    check(out, "target.resource", s.getResource(), t.getResource());
    check(out, "target.subresource", s.getSubresource(), t.getSubresource());
    check(out, "target.describe", s.describe(), t.describe());

    Outcome o = a.getOutcome();
    Outcome p = b.getOutcome();
    check(out, "outcome.succeeded", o.getSucceeded(), p.getSucceeded());
    check(out, "outcome.failed", o.isFailed(), p.isFailed());
    check(out, "outcome.effective", o.isEffective(), p.isEffective());
    check(out, "outcome.errorCode", o.getErrorCode(), p.getErrorCode());
    check(out, "outcome.errorMessage", o.getErrorMessage(), p.getErrorMessage());
    check(out, "outcome.responseCode", o.getResponseCode(), p.getResponseCode());
    check(out, "outcome.dryRun", o.isDryRun(), p.isDryRun());
    check(out, "outcome.stage", o.getStage(), p.getStage());
    return out;
  }

  private static void check(List<String> out, String what, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      out.add(what + ": " + a + " != " + b);
    }
  }

  private static void tree(List<String> out, String what, JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      check(out, what, a, b);
    } else if (a.getNodeType() != b.getNodeType() || !a.equals(b)) {
      out.add(
          what + ": " + a.getNodeType() + " " + cut(a) + " != " + b.getNodeType() + " " + cut(b));
    }
  }

  private static String cut(JsonNode n) {
    String s = n.toString();
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
