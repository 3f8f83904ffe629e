package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Refuses records that are not what their format says, instead of guessing: a field that its format
 * defines with one JSON type and that came with another, or (when {@code requireFields}) a field
 * that every genuine sender writes and that is missing.
 *
 * <p>Two levels, because Portcullis reads from two kinds of sender:
 *
 * <ul>
 *   <li>Always checked: the types. An audit {@code auditID}, {@code verb}, {@code stage} or {@code
 *       requestURI} that is not a string, a {@code user} or {@code objectRef} that is not an
 *       object; a CloudTrail {@code eventName}, {@code eventSource} or {@code eventID} that is not
 *       a string, a {@code userIdentity} that is not an object; and a CloudTrail record without
 *       {@code eventName}, which says nothing that could be judged. A batch whose list ({@code
 *       Records}, {@code items}, {@code logEvents}) is not a list, and a CloudWatch Logs payload
 *       whose {@code messageType} is neither {@code DATA_MESSAGE} nor {@code CONTROL_MESSAGE}.
 *   <li>With {@code requireFields}: the fields an API server and CloudTrail always write. An audit
 *       event without {@code auditID}, {@code verb}, {@code user} or {@code stage}; a CloudTrail
 *       record without {@code eventSource} or {@code userIdentity}. The HTTP intakes and the S3
 *       bridge, whose senders are the API server, EventBridge and CloudTrail themselves, always
 *       require them. The Kafka topics also carry what exporters and detection suites write
 *       (Panther and Falco fixtures leave out {@code auditID} and {@code stage}), so there they are
 *       required only when {@code portcullis.ingest.require-fields} is on.
 * </ul>
 *
 * Every refusal is an {@link InvalidEventException} whose {@link InvalidEventException#field()}
 * names the field.
 */
public final class RecordChecks {

  private RecordChecks() {}

  /** Checks one Kubernetes audit {@code Event}. */
  public static void auditEvent(JsonNode event, boolean requireFields)
      throws InvalidEventException {
    text(event, "auditID", requireFields, "an audit Event");
    text(event, "verb", requireFields, "an audit Event");
    text(event, "stage", requireFields, "an audit Event");
    object(event, "user", requireFields, "an audit Event");
    JsonNode user = event.get("user");
    if (user != null && user.isObject()) {
      nested(user, "user", "username");
      JsonNode groups = user.get("groups");
      if (groups != null && !groups.isNull() && !groups.isArray()) {
        throw wrongType("user.groups", groups, "a list of strings", "an audit Event");
      }
    }
    object(event, "impersonatedUser", false, "an audit Event");
    object(event, "objectRef", false, "an audit Event");
    object(event, "responseStatus", false, "an audit Event");
    text(event, "requestURI", false, "an audit Event");
    text(event, "requestReceivedTimestamp", false, "an audit Event");
    text(event, "stageTimestamp", false, "an audit Event");
    JsonNode ips = event.get("sourceIPs");
    if (ips != null && !ips.isNull() && !ips.isArray()) {
      throw wrongType("sourceIPs", ips, "a list of strings", "an audit Event");
    }
  }

  /** Checks one CloudTrail record (an element of {@code Records[]}, or EventBridge's detail). */
  public static void cloudTrailRecord(JsonNode record, boolean requireFields)
      throws InvalidEventException {
    text(record, "eventName", true, "a CloudTrail record");
    text(record, "eventSource", requireFields, "a CloudTrail record");
    object(record, "userIdentity", requireFields, "a CloudTrail record");
    text(record, "eventID", false, "a CloudTrail record");
    text(record, "eventTime", false, "a CloudTrail record");
    text(record, "errorCode", false, "a CloudTrail record");
    JsonNode rp = record.get("requestParameters");
    if (rp != null && !(rp.isNull() || rp.isObject() || rp.isTextual())) {
      throw wrongType("requestParameters", rp, "an object", "a CloudTrail record");
    }
  }

  /**
   * Checks the list of a batch ({@code Records}, {@code items}, {@code logEvents}): present and a
   * list. A batch whose list is missing or {@code null} is an empty batch.
   */
  public static void batchList(JsonNode list, String field, String what)
      throws InvalidEventException {
    if (list != null && !list.isNull() && !list.isArray()) {
      throw wrongType(field, list, "a list", what);
    }
  }

  /** The {@code messageType} of a CloudWatch Logs payload with log events to read. */
  public static final String DATA_MESSAGE = "DATA_MESSAGE";

  /** The {@code messageType} of a CloudWatch Logs health check: no events in it. */
  public static final String CONTROL_MESSAGE = "CONTROL_MESSAGE";

  /**
   * The {@code messageType} of a CloudWatch Logs subscription payload: {@link #DATA_MESSAGE} or
   * {@link #CONTROL_MESSAGE}, the only two CloudWatch Logs sends. Any other is refused, as its log
   * events would otherwise be passed over in silence.
   */
  public static String messageType(JsonNode payload) throws InvalidEventException {
    String what = "a CloudWatch Logs subscription payload";
    text(payload, "messageType", true, what);
    String type = payload.get("messageType").asText();
    if (!DATA_MESSAGE.equals(type) && !CONTROL_MESSAGE.equals(type)) {
      throw new InvalidEventException(
          InvalidEventException.UNSUPPORTED_SHAPE,
          "\"messageType\" of "
              + what
              + " is neither "
              + DATA_MESSAGE
              + " nor "
              + CONTROL_MESSAGE
              + " (its "
              + type.length()
              + " characters are not shown)",
          "messageType");
    }
    return type;
  }

  private static void text(JsonNode parent, String field, boolean required, String what)
      throws InvalidEventException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull() || n.isTextual() && n.asText().isEmpty()) {
      if (required) {
        throw missing(field, what);
      }
      return;
    }
    if (!n.isTextual()) {
      throw wrongType(field, n, "a string", what);
    }
  }

  private static void object(JsonNode parent, String field, boolean required, String what)
      throws InvalidEventException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw missing(field, what);
      }
      return;
    }
    if (!n.isObject()) {
      throw wrongType(field, n, "an object", what);
    }
  }

  private static void nested(JsonNode parent, String parentName, String field)
      throws InvalidEventException {
    JsonNode n = parent.get(field);
    if (n != null && !n.isNull() && !n.isTextual()) {
      throw wrongType(parentName + "." + field, n, "a string", "an audit Event");
    }
  }

  private static InvalidEventException missing(String field, String what) {
    return new InvalidEventException(
        InvalidEventException.MISSING_FIELD,
        what + " without \"" + field + "\": every " + sender(what) + " writes it",
        field);
  }

  private static InvalidEventException wrongType(
      String field, JsonNode n, String expected, String what) {
    return new InvalidEventException(
        InvalidEventException.WRONG_TYPE,
        "\""
            + field
            + "\" of "
            + what
            + " is "
            + typeName(n)
            + ", not "
            + expected
            + " as its format says",
        field);
  }

  private static String sender(String what) {
    if (what.contains("CloudWatch")) {
      return "CloudWatch Logs subscription";
    }
    return what.contains("audit") ? "Kubernetes API server" : "CloudTrail delivery";
  }

  /** The JSON type of a node, with an article: "a number", "an object". */
  static String typeName(JsonNode n) {
    String t = n.getNodeType().name().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "object" -> "an object";
      case "array" -> "a list";
      case "string" -> "a string";
      case "boolean" -> "a boolean";
      case "null" -> "null";
      default -> "a " + t;
    };
  }
}
