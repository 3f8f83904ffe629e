package dev.portcullis.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake of the PagerDuty Events API v2 ({@code POST /v2/enqueue}), written from PagerDuty's API
 * reference ("Send an Alert Event", "Events API v2 Overview"). Not PagerDuty: it checks the
 * documented request format and answers as the API does, and keeps alerts by {@code dedup_key} the
 * way PagerDuty does (a trigger on an open alert is folded into it, not a new page).
 *
 * <ul>
 *   <li>{@code 202 {"status":"success","message":"Event processed","dedup_key":...}} for a valid
 *       event;
 *   <li>{@code 400 {"status":"invalid event","message":"Event object is invalid","errors":[...]}}
 *       when the JSON is malformed, {@code routing_key} is missing or not the service's, {@code
 *       event_action} is not trigger/acknowledge/resolve, {@code dedup_key} is missing on
 *       acknowledge/resolve or longer than 255, or a trigger's {@code payload} lacks {@code
 *       summary} (max 1024), {@code source} or {@code severity} (critical, error, warning, info),
 *       has a {@code timestamp} that is not ISO 8601, or {@code links} without {@code href};
 *   <li>{@code 429} (rate limited) and {@code 400} on demand, and no answer at all while stopped.
 * </ul>
 *
 * Stricter than PagerDuty in one way: an unknown top-level or payload field is an error, so a typo
 * in our events cannot pass unnoticed.
 */
final class FakePagerDuty extends HttpReceiver {

  static final String PATH = "/v2/enqueue";
  static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");
  static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");
  static final Set<String> TOP_LEVEL =
      Set.of(
          "routing_key",
          "event_action",
          "dedup_key",
          "payload",
          "images",
          "links",
          "client",
          "client_url");
  static final Set<String> PAYLOAD =
      Set.of(
          "summary",
          "source",
          "severity",
          "timestamp",
          "component",
          "group",
          "class",
          "custom_details");

  /** Open or resolved, as PagerDuty's alert status. */
  enum Status {
    TRIGGERED,
    RESOLVED
  }

  private final String routingKey;
  private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
  private final List<String> refused = new CopyOnWriteArrayList<>();
  private final Map<String, Status> alerts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> incidents = new ConcurrentHashMap<>();
  private final AtomicInteger rateLimitNext = new AtomicInteger();
  private final AtomicInteger rejectNext = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();

  FakePagerDuty(String routingKey) {
    this.routingKey = routingKey;
  }

  String url() {
    return base() + PATH;
  }

  @Override
  void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    if (!"POST".equals(ex.getRequestMethod()) || !PATH.equals(ex.getRequestURI().getPath())) {
      send(ex, 404, "text/plain", "Not Found");
      return;
    }
    String body = body(ex);
    if (rateLimitNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      send(ex, 429, "text/plain", "Too Many Requests");
      return;
    }
    List<String> errors = new ArrayList<>();
    JsonNode e = null;
    if (!contentType(ex).startsWith("application/json")) {
      errors.add("Content-Type must be application/json");
    } else {
      try {
        e = JSON.readTree(body);
      } catch (IOException parse) {
        errors.add("Malformed JSON");
      }
    }
    if (e != null) {
      validate(e, errors);
    }
    if (errors.isEmpty() && rejectNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      errors.add("Rejected on demand by the test");
    }
    if (!errors.isEmpty()) {
      refused.add(String.join("; ", errors));
      ObjectNode r = JSON.createObjectNode();
      r.put("status", "invalid event");
      r.put("message", "Event object is invalid");
      errors.forEach(r.putArray("errors")::add);
      send(ex, 400, "application/json", r.toString());
      return;
    }
    String action = e.get("event_action").asText();
    String key =
        e.hasNonNull("dedup_key") ? e.get("dedup_key").asText() : UUID.randomUUID().toString();
    accepted.add(e);
    if (action.equals("trigger")) {
      Status before = alerts.put(key, Status.TRIGGERED);
      if (before != Status.TRIGGERED) {
        incidents.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      }
    } else if (action.equals("resolve")) {
      alerts.computeIfPresent(key, (k, v) -> Status.RESOLVED);
    }
    ObjectNode r = JSON.createObjectNode();
    r.put("status", "success");
    r.put("message", "Event processed");
    r.put("dedup_key", key);
    send(ex, 202, "application/json", r.toString());
  }

  private void validate(JsonNode e, List<String> errors) {
    if (!e.isObject()) {
      errors.add("Event must be a JSON object");
      return;
    }
    for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!TOP_LEVEL.contains(f)) {
        errors.add("Unknown field '" + f + "'");
      }
    }
    if (!e.path("routing_key").isTextual() || e.get("routing_key").asText().isEmpty()) {
      errors.add("'routing_key' is missing or blank");
    } else if (!e.get("routing_key").asText().equals(routingKey)) {
      errors.add("Invalid routing key");
    }
    String action = e.path("event_action").asText("");
    if (!ACTIONS.contains(action)) {
      errors.add("'event_action' must be one of " + ACTIONS);
    }
    JsonNode key = e.get("dedup_key");
    if (key != null && (!key.isTextual() || key.asText().length() > 255)) {
      errors.add("'dedup_key' must be a string of at most 255 characters");
    }
    if ((action.equals("acknowledge") || action.equals("resolve")) && key == null) {
      errors.add("'dedup_key' is required to " + action);
    }
    if (action.equals("trigger")) {
      JsonNode p = e.get("payload");
      if (p == null || !p.isObject()) {
        errors.add("'payload' is required to trigger");
      } else {
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (!PAYLOAD.contains(f)) {
            errors.add("Unknown payload field '" + f + "'");
          }
        }
        String summary = p.path("summary").asText("");
        if (!p.path("summary").isTextual() || summary.isBlank()) {
          errors.add("'payload.summary' is required");
        } else if (summary.length() > 1024) {
          errors.add("'payload.summary' is longer than 1024 characters");
        }
        if (!p.path("source").isTextual() || p.get("source").asText().isBlank()) {
          errors.add("'payload.source' is required");
        }
        if (!SEVERITIES.contains(p.path("severity").asText(""))) {
          errors.add("'payload.severity' must be one of " + SEVERITIES);
        }
        if (p.has("timestamp")) {
          try {
            OffsetDateTime.parse(p.get("timestamp").asText());
          } catch (DateTimeParseException bad) {
            errors.add("'payload.timestamp' is not ISO 8601");
          }
        }
        if (p.has("custom_details") && !p.get("custom_details").isObject()) {
          errors.add("'payload.custom_details' must be an object");
        }
      }
    }
    JsonNode links = e.get("links");
    if (links != null) {
      if (!links.isArray()) {
        errors.add("'links' must be an array");
      } else {
        for (JsonNode l : links) {
          if (!l.path("href").isTextual() || l.get("href").asText().isBlank()) {
            errors.add("every link needs an 'href'");
          }
        }
      }
    }
  }

  /** Answers the next {@code n} requests with 429. */
  void rateLimitNext(int n) {
    rateLimitNext.set(n);
  }

  /** Answers the next {@code n} valid events with 400. */
  void rejectNext(int n) {
    rejectNext.set(n);
  }

  List<JsonNode> accepted() {
    return List.copyOf(accepted);
  }

  List<String> refused() {
    return List.copyOf(refused);
  }

  /** Accepted events of one action for one dedup key. */
  List<JsonNode> events(String dedupKey, String action) {
    return accepted.stream()
        .filter(e -> dedupKey.equals(e.path("dedup_key").asText()))
        .filter(e -> action.equals(e.path("event_action").asText()))
        .toList();
  }

  /** How many times an alert for this dedup key was opened (what pages someone). */
  int incidents(String dedupKey) {
    AtomicInteger n = incidents.get(dedupKey);
    return n == null ? 0 : n.get();
  }

  Status status(String dedupKey) {
    return alerts.get(dedupKey);
  }

  int requests() {
    return requests.get();
  }
}
