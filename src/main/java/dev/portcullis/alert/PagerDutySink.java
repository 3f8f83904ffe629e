package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.policy.Severity;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;

/**
 * PagerDuty Events API v2: a {@code trigger} per page and a {@code resolve} when the condition
 * clears, both carrying the problem's dedup key as {@code dedup_key}, so PagerDuty folds a re-send
 * into the open alert instead of paging again. The trigger carries the summary, the mapped
 * severity, where it happened ({@code source}: the target), what kind of thing ({@code component}:
 * the target type), the owning team ({@code group}), the policy ({@code class}), the facts in
 * {@code custom_details}, and a link to the runbook.
 */
final class PagerDutySink extends HttpAlertSink {

  static final int SUMMARY_MAX = 1024;

  private final URI url;
  private final String routingKey;
  private final String clientUrl;

  PagerDutySink(
      Settings settings, ObjectMapper json, URI url, String routingKey, String clientUrl) {
    super(settings, json);
    this.url = url;
    this.routingKey = routingKey;
    this.clientUrl = clientUrl;
  }

  @Override
  String type() {
    return "pagerduty";
  }

  /** Portcullis severity to PagerDuty's four levels. */
  static String severity(Severity s) {
    if (s == null) {
      return "info";
    }
    return switch (s) {
      case CRITICAL -> "critical";
      case HIGH -> "error";
      case MEDIUM -> "warning";
      case LOW, INFO -> "info";
    };
  }

  @Override
  HttpRequest.Builder render(Notification n, Instant now) throws Exception {
    return HttpRequest.newBuilder(url)
        .header("Content-Type", "application/json")
        .POST(body(json, event(n)));
  }

  ObjectNode event(Notification n) {
    PendingAlert a = n.alert();
    ObjectNode e = json.createObjectNode();
    e.put("routing_key", routingKey);
    e.put("dedup_key", n.dedupKey());
    if (n.isResolve()) {
      e.put("event_action", "resolve");
      return e;
    }
    e.put("event_action", "trigger");
    ObjectNode p = e.putObject("payload");
    p.put("summary", truncate(AlertText.summary(a), SUMMARY_MAX));
    p.put("source", truncate(AlertText.target(a), 255));
    p.put("severity", severity(a.severity()));
    if (a.eventTime() != null) {
      p.put("timestamp", a.eventTime().toString());
    }
    if (a.target().get("type") != null) {
      p.put("component", a.target().get("type"));
    }
    if (a.owner() != null) {
      p.put("group", a.owner());
    }
    p.put("class", a.policy());
    ObjectNode d = p.putObject("custom_details");
    d.put("policy", a.policy());
    d.put("title", AlertText.title(a));
    d.put("what Portcullis does", AlertText.whatItDoes(a));
    d.put("actor", AlertText.actor(a));
    d.put("change", AlertText.change(a));
    d.put("target", AlertText.target(a));
    d.set("target fields", json.valueToTree(a.target()));
    if (a.actor() != null && a.actor().sourceIp() != null) {
      d.put("source ip", a.actor().sourceIp());
    }
    d.put("event id", a.eventId());
    d.put("event source", a.source());
    d.put("rule", a.rule());
    if (!a.details().isEmpty()) {
      d.set("details", json.valueToTree(a.details()));
    }
    if (!a.tags().isEmpty()) {
      d.set("tags", json.valueToTree(a.tags()));
    }
    d.put("dedup key", n.dedupKey());
    d.put("dedup window", n.window().toString());
    if (a.runbook() != null && !a.runbook().isBlank()) {
      d.put("runbook", a.runbook());
      e.putArray("links")
          .addObject()
          .put("href", a.runbook())
          .put("text", truncate("Runbook: " + AlertText.title(a), 255));
    }
    e.put("client", "Portcullis");
    if (clientUrl != null) {
      e.put("client_url", clientUrl);
    }
    return e;
  }
}
