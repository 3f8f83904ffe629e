package dev.portcullis.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake of a Slack incoming webhook ({@code POST /services/T.../B.../...}), written from Slack's
 * "Sending messages using incoming webhooks" and Block Kit references. Not Slack: it checks the
 * documented message format and answers as Slack does.
 *
 * <ul>
 *   <li>{@code 200 ok} for a valid message: JSON with a {@code text}, or {@code blocks} (at most
 *       50) of known types whose text objects are {@code mrkdwn} or {@code plain_text} within
 *       Slack's limits (header: plain_text, 150; section text 3000; at most 10 fields of 2000;
 *       context at most 10 elements);
 *   <li>{@code 400 invalid_payload} for malformed JSON or a wrong content type, {@code 400 no_text}
 *       without text or blocks, {@code 400 invalid_blocks} for bad blocks; {@code 404 no_service}
 *       for another path; {@code 429} with {@code Retry-After} on demand; no answer at all while
 *       stopped.
 * </ul>
 */
final class FakeSlack extends HttpReceiver {

  static final String PATH = "/services/T0000FAKE/B0000FAKE/fakefakefakefakefake";
  static final Set<String> BLOCK_TYPES =
      Set.of("section", "header", "context", "divider", "actions", "image");

  private final List<JsonNode> messages = new CopyOnWriteArrayList<>();
  private final List<String> refused = new CopyOnWriteArrayList<>();
  private final AtomicInteger rateLimitNext = new AtomicInteger();

  String url() {
    return base() + PATH;
  }

  @Override
  void handle(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod()) || !PATH.equals(ex.getRequestURI().getPath())) {
      send(ex, 404, "text/html", "no_service");
      return;
    }
    String body = body(ex);
    if (rateLimitNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      send(ex, 429, "text/html", "rate_limited", Map.of("Retry-After", "1"));
      return;
    }
    if (!contentType(ex).startsWith("application/json")) {
      refuse(ex, "invalid_payload", "content type " + contentType(ex));
      return;
    }
    JsonNode m;
    try {
      m = JSON.readTree(body);
    } catch (IOException e) {
      refuse(ex, "invalid_payload", "malformed JSON");
      return;
    }
    if (m == null || !m.isObject()) {
      refuse(ex, "invalid_payload", "not an object");
      return;
    }
    boolean hasText = m.path("text").isTextual() && !m.get("text").asText().isBlank();
    JsonNode blocks = m.get("blocks");
    if (!hasText && (blocks == null || blocks.isEmpty())) {
      refuse(ex, "no_text", "neither text nor blocks");
      return;
    }
    List<String> errors = new ArrayList<>();
    if (blocks != null) {
      validateBlocks(blocks, errors);
    }
    if (!errors.isEmpty()) {
      refuse(ex, "invalid_blocks", String.join("; ", errors));
      return;
    }
    messages.add(m);
    send(ex, 200, "text/html", "ok");
  }

  private void refuse(HttpExchange ex, String code, String why) throws IOException {
    refused.add(code + ": " + why);
    send(ex, 400, "text/html", code);
  }

  private static void validateBlocks(JsonNode blocks, List<String> errors) {
    if (!blocks.isArray()) {
      errors.add("blocks must be an array");
      return;
    }
    if (blocks.size() > 50) {
      errors.add("more than 50 blocks");
    }
    for (JsonNode b : blocks) {
      String type = b.path("type").asText("");
      if (!BLOCK_TYPES.contains(type)) {
        errors.add("unknown block type '" + type + "'");
        continue;
      }
      switch (type) {
        case "header" -> {
          text(b.get("text"), 150, errors, "header");
          if (!"plain_text".equals(b.path("text").path("type").asText())) {
            errors.add("header text must be plain_text");
          }
        }
        case "section" -> {
          JsonNode fields = b.get("fields");
          if (b.get("text") == null && fields == null) {
            errors.add("section needs text or fields");
          }
          if (b.get("text") != null) {
            text(b.get("text"), 3000, errors, "section");
          }
          if (fields != null) {
            if (!fields.isArray() || fields.size() > 10) {
              errors.add("section fields: an array of at most 10");
            } else {
              fields.forEach(f -> text(f, 2000, errors, "field"));
            }
          }
        }
        case "context" -> {
          JsonNode el = b.get("elements");
          if (el == null || !el.isArray() || el.isEmpty() || el.size() > 10) {
            errors.add("context needs 1 to 10 elements");
          } else {
            el.forEach(e -> text(e, 3000, errors, "context"));
          }
        }
        default -> {}
      }
    }
  }

  private static void text(JsonNode t, int max, List<String> errors, String where) {
    if (t == null || !t.isObject()) {
      errors.add(where + ": missing text object");
      return;
    }
    String type = t.path("type").asText("");
    if (!type.equals("mrkdwn") && !type.equals("plain_text")) {
      errors.add(where + ": text type must be mrkdwn or plain_text");
    }
    String s = t.path("text").asText("");
    if (s.isEmpty()) {
      errors.add(where + ": empty text");
    } else if (s.length() > max) {
      errors.add(where + ": text longer than " + max);
    }
  }

  /** Answers the next {@code n} requests with 429 and {@code Retry-After: 1}. */
  void rateLimitNext(int n) {
    rateLimitNext.set(n);
  }

  List<JsonNode> messages() {
    return List.copyOf(messages);
  }

  /** Messages whose text mentions {@code s}. */
  List<JsonNode> mentioning(String s) {
    return messages.stream().filter(m -> m.toString().contains(s)).toList();
  }

  List<String> refused() {
    return List.copyOf(refused);
  }
}
