package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prometheus Alertmanager API v2: {@code POST /api/v2/alerts} with one alert per page. Labels
 * identify the problem and are the same for its trigger and resolve: {@code alertname} and {@code
 * policy} (the policy id), {@code severity}, {@code action}, a bounded set of target labels, the
 * owner and the dedup key. Annotations carry the words: {@code summary}, {@code description},
 * {@code runbook_url}, actor and change. A trigger fires until the end of its dedup window ({@code
 * endsAt}); a resolve sends the same labels with {@code endsAt} now.
 */
final class AlertmanagerSink extends HttpAlertSink {

  /** Longest label value sent; Alertmanager groups and routes on labels, so they stay short. */
  static final int LABEL_MAX = 256;

  /** Target fields sent as labels (fixed names, so the label set is bounded). */
  static final List<String> TARGET_LABELS =
      List.of("type", "account", "region", "namespace", "name");

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final URI alerts;
  private final Map<String, String> extraLabels;

  AlertmanagerSink(
      Settings settings, ObjectMapper json, URI base, Map<String, String> extraLabels) {
    super(settings, json);
    extraLabels.keySet().stream()
        .filter(k -> !LABEL_NAME.matcher(k).matches())
        .findFirst()
        .ifPresent(
            k -> {
              throw new IllegalArgumentException(
                  "alert sink "
                      + settings.name()
                      + ": extra label '"
                      + k
                      + "' is not a valid Alertmanager label name");
            });
    this.extraLabels = Map.copyOf(extraLabels);
    String b = base.toString();
    this.alerts = URI.create((b.endsWith("/") ? b : b + "/") + "api/v2/alerts");
  }

  @Override
  String type() {
    return "alertmanager";
  }

  @Override
  HttpRequest.Builder render(Notification n, Instant now) throws Exception {
    return HttpRequest.newBuilder(alerts)
        .header("Content-Type", "application/json")
        .POST(body(json, alerts(n, now)));
  }

  ArrayNode alerts(Notification n, Instant now) {
    PendingAlert a = n.alert();
    ArrayNode list = json.createArrayNode();
    ObjectNode alert = list.addObject();
    ObjectNode labels = alert.putObject("labels");
    label(labels, "alertname", a.policy());
    label(labels, "policy", a.policy());
    label(labels, "severity", a.severity() == null ? "info" : a.severity().wireName());
    label(labels, "action", a.action() == null ? null : a.action().wireName());
    label(labels, "event_source", a.source());
    label(labels, "target", a.targetRef());
    for (String f : TARGET_LABELS) {
      label(labels, "target_" + f, a.target().get(f));
    }
    label(labels, "owner", a.owner());
    label(labels, "dedup_key", n.dedupKey());
    extraLabels.forEach((k, v) -> labels.putIfAbsent(k, labels.textNode(truncate(v, LABEL_MAX))));

    ObjectNode ann = alert.putObject("annotations");
    ann.put("summary", AlertText.summary(a));
    ann.put(
        "description",
        AlertText.title(a)
            + ". "
            + AlertText.actor(a)
            + " made "
            + AlertText.change(a)
            + " on "
            + AlertText.target(a)
            + ". Portcullis: "
            + AlertText.whatItDoes(a)
            + ".");
    if (a.runbook() != null && !a.runbook().isBlank()) {
      ann.put("runbook_url", a.runbook());
    }
    ann.put("actor", AlertText.actor(a));
    ann.put("change", AlertText.change(a));
    if (a.eventId() != null) {
      ann.put("event_id", a.eventId());
    }
    ann.put("occurrences", String.valueOf(n.state().count()));
    if (n.isResolve() && n.state().resolveReason() != null) {
      ann.put("resolved_because", n.state().resolveReason());
    }

    Instant starts = n.state().windowStart() != null ? n.state().windowStart() : now;
    alert.put("startsAt", starts.truncatedTo(ChronoUnit.MILLIS).toString());
    // Event-sourced alerts are not re-sent like Prometheus' are: the alert fires for its dedup
    // window (from now, in wall time, as Alertmanager counts) unless resolved earlier.
    Instant ends = n.isResolve() ? now : now.plus(n.window());
    if (ends.isBefore(starts)) {
      ends = starts;
    }
    alert.put("endsAt", ends.truncatedTo(ChronoUnit.MILLIS).toString());
    if (isHttpUrl(a.runbook())) {
      alert.put("generatorURL", a.runbook());
    }
    return list;
  }

  private static void label(ObjectNode labels, String name, String value) {
    if (value != null && !value.isBlank()) {
      labels.put(name, truncate(value, LABEL_MAX));
    }
  }

  private static boolean isHttpUrl(String s) {
    if (s == null || s.isBlank()) {
      return false;
    }
    try {
      URI u = URI.create(s);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
