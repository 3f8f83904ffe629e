package dev.portcullis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A FAKE of the CloudTrail API's {@code LookupEvents} (no emulator of it runs here), written from
 * the API reference: the AWS JSON 1.1 protocol ({@code X-Amz-Target:
 * com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents}), management events newest
 * first, at most 50 per page ({@code MaxResults} 1 to 50) with an opaque {@code NextToken}, at most
 * one lookup attribute, and two calls a second per account and region: a third within a second is
 * refused with {@code ThrottlingException}. It refuses what the real API refuses: {@code
 * InvalidMaxResultsException}, {@code InvalidLookupAttributesException}, {@code
 * InvalidTimeRangeException} (start after end), {@code InvalidNextTokenException} (a token it did
 * not issue, or used with other parameters). Events are given as CloudTrail records.
 */
public final class FakeCloudTrail implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> ATTRIBUTES =
      Set.of(
          "EventId",
          "EventName",
          "ReadOnly",
          "Username",
          "ResourceType",
          "ResourceName",
          "EventSource",
          "AccessKeyId");

  private final HttpServer server;
  private final List<ObjectNode> events = new CopyOnWriteArrayList<>();
  private final Map<String, Page> tokens = new ConcurrentHashMap<>();
  private final Deque<Long> recent = new ArrayDeque<>();

  /** Every call as it came, throttled ones too: when (ms) and whether it was answered. */
  public final List<Call> calls = new CopyOnWriteArrayList<>();

  public record Call(long atMillis, boolean throttled, String error) {}

  private record Page(String query, int offset) {}

  public FakeCloudTrail() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Adds a management event, given as the CloudTrail record the API returns in CloudTrailEvent. */
  public void add(String record) {
    try {
      events.add((ObjectNode) JSON.readTree(record));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange x) throws IOException {
    long now = System.currentTimeMillis();
    String target = x.getRequestHeaders().getFirst("X-Amz-Target");
    if (target == null || !target.endsWith("CloudTrail_20131101.LookupEvents")) {
      error(x, now, "UnknownOperationException", "only LookupEvents is faked");
      return;
    }
    synchronized (recent) {
      while (!recent.isEmpty() && now - recent.peekFirst() >= 1000) {
        recent.pollFirst();
      }
      if (recent.size() >= 2) {
        calls.add(new Call(now, true, "ThrottlingException"));
        reply(x, 400, error("ThrottlingException", "Rate exceeded"));
        return;
      }
      recent.addLast(now);
    }
    JsonNode req = JSON.readTree(x.getRequestBody().readAllBytes());
    int max = req.path("MaxResults").asInt(50);
    if (req.has("MaxResults") && (max < 1 || max > 50)) {
      error(x, now, "InvalidMaxResultsException", "MaxResults must be between 1 and 50");
      return;
    }
    JsonNode attrs = req.path("LookupAttributes");
    if (attrs.size() > 1) {
      error(x, now, "InvalidLookupAttributesException", "only one lookup attribute is allowed");
      return;
    }
    String key = attrs.size() == 1 ? attrs.get(0).path("AttributeKey").asText() : null;
    String value = attrs.size() == 1 ? attrs.get(0).path("AttributeValue").asText() : null;
    if (key != null && !ATTRIBUTES.contains(key)) {
      error(x, now, "InvalidLookupAttributesException", "unknown AttributeKey " + key);
      return;
    }
    Instant start = time(req.get("StartTime"), Instant.EPOCH);
    Instant end = time(req.get("EndTime"), Instant.ofEpochMilli(now));
    if (start.isAfter(end)) {
      error(x, now, "InvalidTimeRangeException", "StartTime is after EndTime");
      return;
    }
    String query = key + "=" + value + "|" + start + "|" + end + "|" + max;
    int offset = 0;
    if (req.hasNonNull("NextToken")) {
      Page p = tokens.get(req.get("NextToken").asText());
      if (p == null || !p.query().equals(query)) {
        error(x, now, "InvalidNextTokenException", "the token is not valid for this query");
        return;
      }
      offset = p.offset();
    }
    List<ObjectNode> matching = new ArrayList<>();
    for (ObjectNode e : events) {
      Instant t = Instant.parse(e.path("eventTime").asText());
      if (t.isBefore(start) || t.isAfter(end)) {
        continue;
      }
      if (key != null && !value.equals(attribute(e, key))) {
        continue;
      }
      matching.add(e);
    }
    matching.sort(
        Comparator.comparing((ObjectNode e) -> Instant.parse(e.path("eventTime").asText()))
            .reversed());
    ObjectNode out = JSON.createObjectNode();
    ArrayNode page = out.putArray("Events");
    for (int i = offset; i < Math.min(matching.size(), offset + max); i++) {
      ObjectNode e = matching.get(i);
      ObjectNode ev = page.addObject();
      ev.put("EventId", e.path("eventID").asText());
      ev.put("EventName", e.path("eventName").asText());
      ev.put("ReadOnly", String.valueOf(e.path("readOnly").asBoolean(false)));
      ev.put("AccessKeyId", e.path("userIdentity").path("accessKeyId").asText(""));
      ev.put("EventTime", Instant.parse(e.path("eventTime").asText()).getEpochSecond());
      ev.put("EventSource", e.path("eventSource").asText());
      ev.put("Username", e.path("userIdentity").path("userName").asText(""));
      ev.putArray("Resources");
      ev.put("CloudTrailEvent", JSON.writeValueAsString(e));
    }
    if (offset + max < matching.size()) {
      String token = UUID.randomUUID().toString();
      tokens.put(token, new Page(query, offset + max));
      out.put("NextToken", token);
    }
    calls.add(new Call(now, false, null));
    reply(x, 200, JSON.writeValueAsBytes(out));
  }

  static String attribute(ObjectNode e, String key) {
    return switch (key) {
      case "EventId" -> e.path("eventID").asText();
      case "EventName" -> e.path("eventName").asText();
      case "ReadOnly" -> String.valueOf(e.path("readOnly").asBoolean(false));
      case "Username" -> e.path("userIdentity").path("userName").asText();
      case "EventSource" -> e.path("eventSource").asText();
      case "AccessKeyId" -> e.path("userIdentity").path("accessKeyId").asText();
      default -> null;
    };
  }

  static Instant time(JsonNode n, Instant otherwise) {
    if (n == null || n.isNull()) {
      return otherwise;
    }
    if (n.isNumber()) {
      return Instant.ofEpochMilli(Math.round(n.asDouble() * 1000));
    }
    return Instant.parse(n.asText());
  }

  private void error(HttpExchange x, long now, String type, String message) throws IOException {
    calls.add(new Call(now, false, type));
    reply(x, 400, error(type, message));
  }

  private static byte[] error(String type, String message) {
    return ("{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void reply(HttpExchange x, int status, byte[] body) throws IOException {
    x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
    x.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
    x.sendResponseHeaders(status, body.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(body);
    }
  }

  /** The calls answered (not throttled) within any one second, at most. */
  public int mostAnsweredInOneSecond() {
    List<Long> t = calls.stream().filter(c -> !c.throttled()).map(Call::atMillis).sorted().toList();
    int most = 0;
    for (int i = 0; i < t.size(); i++) {
      int j = i;
      while (j < t.size() && t.get(j) - t.get(i) < 1000) {
        j++;
      }
      most = Math.max(most, j - i);
    }
    return most;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
