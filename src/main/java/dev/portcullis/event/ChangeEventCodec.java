package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link ChangeEvent} as a JSON tree and back, for state that keeps events (a change waiting for
 * its DNS mirror is judged again later, maybe by another instance). Every field round-trips: {@code
 * read(write(e))} answers every getter of {@code e}, and of its {@link Actor}, {@link Target} and
 * {@link Outcome}, with an equal value.
 *
 * <p>Not the decision record's form (that is Jackson's view of the event, which leaves the JSON
 * trees out): this one is for Portcullis itself, with stable short field names so that what one
 * version wrote the next one reads.
 *
 * <pre>
 * {"id": "...", "idFromContent": true, "source": "cloudtrail",
 *  "time": "2026-11-24T10:00:00.123456789Z", "timeEstimated": true,
 *  "service": "s3.amazonaws.com", "action": "PutObject", "readOnly": true,
 *  "actor": {"principal", "type": "service-account", "name", "account", "userAgent", "sourceIp",
 *            "console": true, "iacTool", "sessionIssuer", "impersonatedBy", "groups": [...]},
 *  "target": {"type", "account", "region", "arn", "bucket", "key", "hostedZoneId", "recordName",
 *             "namespace", "name", "apiGroup", "resource", "subresource"},
 *  "outcome": {"succeeded": false, "errorCode", "errorMessage", "responseCode": 403,
 *              "dryRun": true, "stage"},
 *  "request": {...}, "response": {...}, "raw": {...}, "redacted": ["/path", ...]}
 * </pre>
 *
 * <p>A null field, a false flag, an empty list and a missing tree ({@code MissingNode}) are left
 * out and read back as null, false, empty and missing; a tree that is JSON {@code null} stays JSON
 * {@code null}. Times are ISO-8601 ({@link Instant#toString()}, nanoseconds kept). The actor type
 * is its {@linkplain Actor.Type#wireName() wire name}.
 *
 * <p>The JSON trees are shared, not copied, both ways: like the event's own trees, neither the
 * written tree nor the tree read from may be modified afterwards. Stateless and thread-safe.
 */
public final class ChangeEventCodec {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ChangeEventCodec() {}

  /** The event as JSON. */
  public static ObjectNode write(ChangeEvent e) {
    ObjectNode n = NODES.objectNode();
    n.put("id", e.getId());
    flag(n, "idFromContent", e.isIdFromContent());
    n.put("source", e.getSource());
    n.put("time", e.getEventTime().toString());
    flag(n, "timeEstimated", e.isEventTimeEstimated());
    text(n, "service", e.getService());
    text(n, "action", e.getAction());
    flag(n, "readOnly", e.isReadOnly());
    n.set("actor", actor(e.getActor()));
    n.set("target", target(e.getTarget()));
    n.set("outcome", outcome(e.getOutcome()));
    part(n, "request", e.getRequest(), e.getRaw());
    part(n, "response", e.getResponse(), e.getRaw());
    tree(n, "raw", e.getRaw());
    list(n, "redacted", e.getRedacted());
    return n;
  }

  /**
   * The event {@link #write} wrote.
   *
   * @throws IllegalArgumentException when {@code json} is not an object or lacks the id, source or
   *     time
   */
  public static ChangeEvent read(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException(
          "a change event is a JSON object, not " + (json == null ? "null" : json.getNodeType()));
    }
    return ChangeEvent.builder()
        .id(required(json, "id"), json.path("idFromContent").asBoolean(false))
        .source(required(json, "source"))
        .eventTime(instant(required(json, "time")), json.path("timeEstimated").asBoolean(false))
        .service(text(json, "service"))
        .action(text(json, "action"))
        .readOnly(json.path("readOnly").asBoolean(false))
        .actor(actor(json.path("actor")))
        .target(target(json.path("target")))
        .outcome(outcome(json.path("outcome")))
        .request(part(json, "request"))
        .response(part(json, "response"))
        .raw(json.get("raw"))
        .redacted(list(json, "redacted"))
        .build();
  }

  private static ObjectNode actor(Actor a) {
    ObjectNode n = NODES.objectNode();
    text(n, "principal", a.getPrincipal());
    n.put("type", a.getType().wireName());
    text(n, "name", a.getName());
    text(n, "account", a.getAccount());
    text(n, "userAgent", a.getUserAgent());
    text(n, "sourceIp", a.getSourceIp());
    flag(n, "console", a.isConsole());
    text(n, "iacTool", a.getIacTool());
    text(n, "sessionIssuer", a.getSessionIssuer());
    text(n, "impersonatedBy", a.getImpersonatedBy());
    list(n, "groups", a.getGroups());
    return n;
  }

  private static Actor actor(JsonNode n) {
    return Actor.builder()
        .principal(text(n, "principal"))
        .type(actorType(text(n, "type")))
        .name(text(n, "name"))
        .account(text(n, "account"))
        .userAgent(text(n, "userAgent"))
        .sourceIp(text(n, "sourceIp"))
        .console(n.path("console").asBoolean(false))
        .iacTool(text(n, "iacTool"))
        .sessionIssuer(text(n, "sessionIssuer"))
        .impersonatedBy(text(n, "impersonatedBy"))
        .groups(list(n, "groups"))
        .build();
  }

  /** The type with this wire name (or constant name); {@code UNKNOWN} for null or unknown. */
  private static Actor.Type actorType(String wire) {
    if (wire == null) {
      return Actor.Type.UNKNOWN;
    }
    for (Actor.Type t : Actor.Type.values()) {
      if (t.wireName().equals(wire) || t.name().equals(wire)) {
        return t;
      }
    }
    return Actor.Type.UNKNOWN;
  }

  private static ObjectNode target(Target t) {
    ObjectNode n = NODES.objectNode();
    text(n, "type", t.getType());
    text(n, "account", t.getAccount());
    text(n, "region", t.getRegion());
    text(n, "arn", t.getArn());
    text(n, "bucket", t.getBucket());
    text(n, "key", t.getKey());
    text(n, "hostedZoneId", t.getHostedZoneId());
    text(n, "recordName", t.getRecordName());
    text(n, "namespace", t.getNamespace());
    text(n, "name", t.getName());
    text(n, "apiGroup", t.getApiGroup());
    text(n, "resource", t.getResource());
    text(n, "subresource", t.getSubresource());
    return n;
  }

  private static Target target(JsonNode n) {
    return Target.builder()
        .type(text(n, "type"))
        .account(text(n, "account"))
        .region(text(n, "region"))
        .arn(text(n, "arn"))
        .bucket(text(n, "bucket"))
        .key(text(n, "key"))
        .hostedZoneId(text(n, "hostedZoneId"))
        .recordName(text(n, "recordName"))
        .namespace(text(n, "namespace"))
        .name(text(n, "name"))
        .apiGroup(text(n, "apiGroup"))
        .resource(text(n, "resource"))
        .subresource(text(n, "subresource"))
        .build();
  }

  private static ObjectNode outcome(Outcome o) {
    ObjectNode n = NODES.objectNode();
    if (o.getSucceeded() != null) {
      n.put("succeeded", o.getSucceeded().booleanValue());
    }
    text(n, "errorCode", o.getErrorCode());
    text(n, "errorMessage", o.getErrorMessage());
    if (o.getResponseCode() != null) {
      n.put("responseCode", o.getResponseCode().intValue());
    }
    flag(n, "dryRun", o.isDryRun());
    text(n, "stage", o.getStage());
    return n;
  }

  private static Outcome outcome(JsonNode n) {
    JsonNode succeeded = n.get("succeeded");
    JsonNode code = n.get("responseCode");
    return new Outcome(
        succeeded == null || succeeded.isNull() ? null : succeeded.asBoolean(),
        text(n, "errorCode"),
        text(n, "errorMessage"),
        code == null || code.isNull() ? null : code.asInt(),
        n.path("dryRun").asBoolean(false),
        text(n, "stage"));
  }

  // ---- field helpers ----

  private static void text(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  private static void flag(ObjectNode n, String field, boolean value) {
    if (value) {
      n.put(field, true);
    }
  }

  private static void tree(ObjectNode n, String field, JsonNode value) {
    if (value != null && !value.isMissingNode()) {
      n.set(field, value);
    }
  }

  /**
   * The request or the response: most events' are a part of the raw record ({@code
   * requestParameters}, {@code requestObject}...), which is written anyway, so only where it sits
   * in the raw record is written ({@code "requestAt": "/requestParameters"}), not the same JSON a
   * second time: the changes topic's records are about half as large, and half as much to read.
   */
  private static void part(ObjectNode n, String field, JsonNode value, JsonNode raw) {
    if (value == null || value.isMissingNode()) {
      return;
    }
    String at = locate(raw, value);
    if (at != null) {
      n.put(field + AT, at);
    } else {
      n.set(field, value);
    }
  }

  /** What {@link #part(ObjectNode, String, JsonNode, JsonNode)} wrote, either form. */
  private static JsonNode part(JsonNode json, String field) {
    JsonNode at = json.get(field + AT);
    if (at == null || !at.isTextual()) {
      return json.get(field);
    }
    JsonNode raw = json.get("raw");
    JsonNode value = raw == null ? null : raw.at(at.textValue());
    if (value == null || value.isMissingNode()) {
      throw new IllegalArgumentException(
          "\"" + field + AT + "\" names " + at.textValue() + ", which the raw record lacks");
    }
    return value;
  }

  private static final String AT = "At";

  /**
   * The JSON pointer of {@code value} in {@code raw} when it is that very node, one or two levels
   * down (CloudTrail's {@code /requestParameters}, an admission review's {@code /request/object});
   * null otherwise.
   */
  private static String locate(JsonNode raw, JsonNode value) {
    if (raw == null || !raw.isObject() || !value.isContainerNode()) {
      return null;
    }
    for (Map.Entry<String, JsonNode> top : raw.properties()) {
      if (top.getValue() == value) {
        return "/" + escape(top.getKey());
      }
    }
    for (Map.Entry<String, JsonNode> top : raw.properties()) {
      if (top.getValue().isObject()) {
        for (Map.Entry<String, JsonNode> inner : top.getValue().properties()) {
          if (inner.getValue() == value) {
            return "/" + escape(top.getKey()) + "/" + escape(inner.getKey());
          }
        }
      }
    }
    return null;
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  private static void list(ObjectNode n, String field, List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode a = n.putArray(field);
      values.forEach(a::add);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String required(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null) {
      throw new IllegalArgumentException("a change event needs \"" + field + "\"");
    }
    return v;
  }

  private static List<String> list(JsonNode n, String field) {
    List<String> out = new ArrayList<>();
    n.path(field).forEach(v -> out.add(v.asText()));
    return out;
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO-8601 instant: " + text, e);
    }
  }
}
