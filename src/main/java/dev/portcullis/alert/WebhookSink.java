package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;

/**
 * Generic webhook: each page and resolve as one CloudEvents 1.0 event in structured JSON mode
 * ({@code application/cloudevents+json}). {@code type} is {@code dev.portcullis.alert.triggered} or
 * {@code dev.portcullis.alert.resolved}, {@code subject} the policy id, {@code time} the event
 * time, {@code id} stable per page (a re-send after a crash carries the same id, so a receiver can
 * drop it), and {@code data} the alert: the decision, actor, target, occurrences. Extension
 * attributes {@code dedupkey}, {@code severity} and {@code policy} let receivers filter without
 * parsing data.
 */
final class WebhookSink extends HttpAlertSink {

  static final String TRIGGERED = "dev.portcullis.alert.triggered";
  static final String RESOLVED = "dev.portcullis.alert.resolved";

  private final URI url;
  private final String source;

  WebhookSink(Settings settings, ObjectMapper json, URI url, String source) {
    super(settings, json);
    this.url = url;
    this.source = source;
  }

  @Override
  String type() {
    return "webhook";
  }

  @Override
  HttpRequest.Builder render(Notification n, Instant now) throws Exception {
    return HttpRequest.newBuilder(url)
        .header("Content-Type", "application/cloudevents+json; charset=UTF-8")
        .POST(body(json, event(n)));
  }

  ObjectNode event(Notification n) {
    PendingAlert a = n.alert();
    AlertState s = n.state();
    ObjectNode e = json.createObjectNode();
    e.put("specversion", "1.0");
    e.put("id", n.id());
    e.put("source", source);
    e.put("type", n.isResolve() ? RESOLVED : TRIGGERED);
    e.put("subject", a.policy());
    if (n.time() != null) {
      e.put("time", n.time().toString());
    }
    e.put("datacontenttype", "application/json");
    e.put("dedupkey", n.dedupKey());
    if (a.severity() != null) {
      e.put("severity", a.severity().wireName());
    }
    e.put("policy", a.policy());
    ObjectNode data = e.putObject("data");
    data.put("status", n.isResolve() ? "resolved" : "firing");
    data.put("dedupKey", n.dedupKey());
    data.set("alert", json.valueToTree(a));
    data.put("whatPortcullisDoes", AlertText.whatItDoes(a));
    data.put("occurrences", s.count());
    data.put("firstSeen", String.valueOf(s.firstSeen()));
    data.put("lastSeen", String.valueOf(s.lastSeen()));
    data.put("windowEnd", String.valueOf(s.windowEnd()));
    if (n.isResolve()) {
      data.put("resolvedAt", String.valueOf(s.resolvedAt()));
      if (s.resolveReason() != null) {
        data.put("reason", s.resolveReason());
      }
    }
    return e;
  }
}
