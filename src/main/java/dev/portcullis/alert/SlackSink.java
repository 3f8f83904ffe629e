package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;

/**
 * Slack incoming webhook: one message per page, one per resolve, written for the person on call:
 * the policy, how bad, who did what to which resource, what Portcullis does about it, and the
 * runbook link. Text from events is escaped, so a name like {@code <!channel>} is shown, never
 * acted on. A plain {@code text} goes along as the notification fallback.
 */
final class SlackSink extends HttpAlertSink {

  static final int HEADER_MAX = 150;
  static final int TEXT_MAX = 3000;
  static final int FIELD_MAX = 2000;

  private final URI url;

  SlackSink(Settings settings, ObjectMapper json, URI url) {
    super(settings, json);
    this.url = url;
  }

  @Override
  String type() {
    return "slack";
  }

  @Override
  HttpRequest.Builder render(Notification n, Instant now) throws Exception {
    return HttpRequest.newBuilder(url)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(body(json, message(n)));
  }

  ObjectNode message(Notification n) {
    PendingAlert a = n.alert();
    AlertState s = n.state();
    ObjectNode m = json.createObjectNode();
    String sev = AlertText.severity(a);
    m.put(
        "text",
        truncate(
            (n.isResolve() ? "Resolved: " : "[" + sev + "] ")
                + a.policy()
                + ": "
                + AlertText.summary(a),
            TEXT_MAX));
    ArrayNode blocks = m.putArray("blocks");
    ObjectNode header = blocks.addObject().put("type", "header");
    header
        .putObject("text")
        .put("type", "plain_text")
        .put(
            "text",
            truncate(
                (n.isResolve() ? "\u2705 Resolved: " : "\uD83D\uDEA8 " + sev + ": ")
                    + AlertText.title(a),
                HEADER_MAX));
    section(blocks, escape(AlertText.summary(a)));
    if (n.isResolve()) {
      section(
          blocks,
          "*Resolved*"
              + (s.resolveReason() == null ? "" : ": " + escape(s.resolveReason()))
              + "\n"
              + s.count()
              + (s.count() == 1 ? " occurrence" : " occurrences")
              + " between "
              + s.firstSeen()
              + " and "
              + s.lastSeen());
    }
    ObjectNode fields = blocks.addObject().put("type", "section");
    ArrayNode f = fields.putArray("fields");
    field(f, "Policy", "`" + escape(a.policy()) + "`");
    field(f, "Severity", sev);
    field(f, "Actor", escape(AlertText.actor(a)));
    field(f, "Target", escape(AlertText.target(a)));
    field(f, "Change", escape(AlertText.change(a)));
    field(f, "What Portcullis does", escape(AlertText.whatItDoes(a)));
    if (a.runbook() != null && !a.runbook().isBlank()) {
      String rb = a.runbook().strip();
      boolean linkable = !rb.contains("|") && !rb.contains(">") && !rb.contains("<");
      section(blocks, "*Runbook:* " + (linkable ? "<" + rb + "|" + escape(rb) + ">" : escape(rb)));
    }
    StringBuilder ctx = new StringBuilder();
    if (a.eventId() != null) {
      ctx.append("Event `").append(escape(a.eventId())).append('`');
    }
    if (a.eventTime() != null) {
      ctx.append(" at ").append(a.eventTime());
    }
    if (a.owner() != null) {
      ctx.append(" \u00b7 owner ").append(escape(a.owner()));
    }
    ctx.append(" \u00b7 dedup `").append(n.dedupKey(), 0, 12).append('`');
    blocks
        .addObject()
        .put("type", "context")
        .putArray("elements")
        .addObject()
        .put("type", "mrkdwn")
        .put("text", truncate(ctx.toString().strip(), TEXT_MAX));
    return m;
  }

  private static void section(ArrayNode blocks, String mrkdwn) {
    blocks
        .addObject()
        .put("type", "section")
        .putObject("text")
        .put("type", "mrkdwn")
        .put("text", truncate(mrkdwn, TEXT_MAX));
  }

  private static void field(ArrayNode fields, String name, String value) {
    fields
        .addObject()
        .put("type", "mrkdwn")
        .put("text", truncate("*" + name + "*\n" + value, FIELD_MAX));
  }

  /** Slack's three control characters; everything else is shown as written. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
