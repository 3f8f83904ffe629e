package dev.portcullis.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A generic webhook receiver that accepts CloudEvents 1.0 in structured JSON mode and checks them
 * against the CloudEvents spec and its JSON format: content type {@code
 * application/cloudevents+json}; {@code specversion} "1.0"; non-empty {@code id}, {@code source} (a
 * URI reference) and {@code type}; {@code time} in RFC 3339 when present; attribute names of
 * lower-case letters and digits (at most 20). {@code 202} when valid, {@code 400} with the problems
 * otherwise.
 */
final class CloudEventsReceiver extends HttpReceiver {

  static final String PATH = "/events";
  private static final Pattern NAME = Pattern.compile("[a-z0-9]{1,20}");

  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final List<String> refused = new CopyOnWriteArrayList<>();

  String url() {
    return base() + PATH;
  }

  @Override
  void handle(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod()) || !PATH.equals(ex.getRequestURI().getPath())) {
      send(ex, 404, "text/plain", "not found");
      return;
    }
    String body = body(ex);
    List<String> errors = new ArrayList<>();
    if (!contentType(ex).startsWith("application/cloudevents+json")) {
      errors.add("content type must be application/cloudevents+json");
    }
    JsonNode e = null;
    try {
      e = JSON.readTree(body);
    } catch (IOException bad) {
      errors.add("malformed JSON");
    }
    if (e != null) {
      validate(e, errors);
    }
    if (!errors.isEmpty()) {
      refused.add(String.join("; ", errors));
      send(ex, 400, "text/plain", String.join("\n", errors));
      return;
    }
    events.add(e);
    send(ex, 202, "text/plain", "");
  }

  private static void validate(JsonNode e, List<String> errors) {
    if (!e.isObject()) {
      errors.add("an event is a JSON object");
      return;
    }
    if (!"1.0".equals(e.path("specversion").asText())) {
      errors.add("specversion must be 1.0");
    }
    for (String required : List.of("id", "source", "type")) {
      if (!e.path(required).isTextual() || e.get(required).asText().isEmpty()) {
        errors.add(required + " is required");
      }
    }
    try {
      URI.create(e.path("source").asText(""));
    } catch (IllegalArgumentException bad) {
      errors.add("source is not a URI reference");
    }
    if (e.has("time")) {
      try {
        OffsetDateTime.parse(e.get("time").asText());
      } catch (RuntimeException bad) {
        errors.add("time is not RFC 3339");
      }
    }
    for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
      String n = it.next();
      if (!n.equals("data") && !n.equals("data_base64") && !NAME.matcher(n).matches()) {
        errors.add("attribute name '" + n + "' is not lower-case letters and digits");
      }
    }
  }

  List<JsonNode> events() {
    return List.copyOf(events);
  }

  List<JsonNode> withDedupKey(String key, String type) {
    return events.stream()
        .filter(e -> key.equals(e.path("dedupkey").asText()))
        .filter(e -> type.equals(e.path("type").asText()))
        .toList();
  }

  List<String> refused() {
    return List.copyOf(refused);
  }
}
