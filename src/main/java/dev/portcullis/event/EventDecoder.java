package dev.portcullis.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Decodes raw input bytes into change events. Accepted shapes, detected from the content (so a
 * record on the wrong topic is still understood):
 *
 * <ul>
 *   <li>a CloudTrail record; a CloudTrail log file {@code {"Records":[...]}}, also gzip-compressed
 *       as CloudTrail writes it to S3;
 *   <li>an EventBridge "AWS API Call via CloudTrail" envelope ({@code detail} is the record);
 *   <li>a CloudWatch Logs subscription payload whose messages are CloudTrail records or audit
 *       events (how EKS audit logs leave AWS);
 *   <li>a Kubernetes audit {@code Event} or {@code EventList} ({@code audit.k8s.io/v1}, {@code
 *       v1beta1}, or without {@code apiVersion});
 *   <li>a JSON array of any of these.
 * </ul>
 *
 * Thread-safe. Secret material is removed before any event or rejected part leaves this class.
 */
public final class EventDecoder {

  private static final int GZIP_MAGIC_1 = 0x1f;
  private static final int GZIP_MAGIC_2 = 0x8b;
  private static final int MAX_DEPTH = 4;

  private final ObjectMapper mapper;

  /** Reads exactly one JSON value: trailing content (a second record) must not vanish quietly. */
  private final ObjectReader strict;

  private final CloudTrailParser cloudTrail;
  private final KubernetesAuditParser kubernetes = new KubernetesAuditParser();
  private final int maxBytes;
  private final boolean requireFields;

  /**
   * @param maxBytes the largest input accepted, compressed or decompressed
   */
  public EventDecoder(ObjectMapper mapper, int maxBytes) {
    this(mapper, maxBytes, false);
  }

  /**
   * @param maxBytes the largest input accepted, compressed or decompressed
   * @param requireFields refuse records without the fields every genuine sender writes ({@link
   *     RecordChecks}); types are checked either way
   */
  public EventDecoder(ObjectMapper mapper, int maxBytes, boolean requireFields) {
    this.mapper = mapper;
    this.strict = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.cloudTrail = new CloudTrailParser(mapper);
    this.maxBytes = maxBytes;
    this.requireFields = requireFields;
  }

  /** True when records without the fields every genuine sender writes are refused. */
  public boolean requiresFields() {
    return requireFields;
  }

  /**
   * Decodes one input.
   *
   * @param arrival when the input reached us; the event time of events that carry none
   * @throws InvalidEventException when the input as a whole is no supported event
   */
  public DecodedBatch decode(byte[] bytes, Instant arrival) throws InvalidEventException {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidEventException(InvalidEventException.EMPTY, "the input is empty");
    }
    if (bytes.length > maxBytes) {
      throw new InvalidEventException(
          InvalidEventException.TOO_LARGE,
          "the input has " + bytes.length + " bytes, more than the limit of " + maxBytes);
    }
    byte[] json = isGzip(bytes) ? gunzip(bytes) : bytes;
    JsonNode root;
    try {
      root = strict.readTree(json);
    } catch (MismatchedInputException e) {
      throw new InvalidEventException(
          InvalidEventException.NOT_JSON,
          "the input is not one JSON value (JSON Lines are not accepted; send one event, a"
              + " JSON array or a batch per record): "
              + e.getOriginalMessage(),
          e);
    } catch (JsonProcessingException e) {
      throw new InvalidEventException(
          InvalidEventException.NOT_JSON, "the input is not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidEventException(
          InvalidEventException.NOT_JSON, "the input is not JSON: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new InvalidEventException(InvalidEventException.EMPTY, "the input holds no JSON value");
    }
    List<ChangeEvent> events = new ArrayList<>();
    List<DecodedBatch.Rejected> rejected = new ArrayList<>();
    if (!decodeNode(root, "", arrival, events, rejected, 0)) {
      // The hint names the top-level fields as they came (names only, never values).
      throw new InvalidEventException(InvalidEventException.UNSUPPORTED_SHAPE, shapeHint(root));
    }
    return new DecodedBatch(events, rejected);
  }

  /**
   * Decodes a node; returns false when it is no supported shape at all.
   *
   * @throws InvalidEventException when it is a supported shape that is not what its format says
   */
  private boolean decodeNode(
      JsonNode node,
      String location,
      Instant arrival,
      List<ChangeEvent> events,
      List<DecodedBatch.Rejected> rejected,
      int depth)
      throws InvalidEventException {
    if (depth > MAX_DEPTH) {
      return false;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        element(node.get(i), location + "[" + i + "]", arrival, events, rejected, depth);
      }
      return true;
    }
    if (!(node instanceof ObjectNode obj)) {
      return false;
    }
    // A batch's list beside an event's own fields is an extra field of that event, not a batch:
    // read as an empty batch, the event would vanish without a trace.
    boolean oneEvent = looksLikeOneEvent(obj);
    JsonNode records = obj.get("Records");
    if (records != null && !oneEvent) {
      RecordChecks.batchList(records, "Records", "a CloudTrail log file");
      for (int i = 0; records != null && i < records.size(); i++) {
        element(records.get(i), "Records[" + i + "]", arrival, events, rejected, depth);
      }
      return true;
    }
    if ("EventList".equals(Json.text(obj, "kind")) && !oneEvent) {
      JsonNode items = obj.get("items");
      RecordChecks.batchList(items, "items", "an audit EventList");
      for (int i = 0; items != null && i < items.size(); i++) {
        element(items.get(i), "items[" + i + "]", arrival, events, rejected, depth);
      }
      return true;
    }
    if (obj.has("detail-type") && obj.has("detail")) {
      JsonNode detail = obj.get("detail");
      if (!(detail instanceof ObjectNode d)) {
        throw new InvalidEventException(
            InvalidEventException.WRONG_TYPE,
            "\"detail\" of an EventBridge event is "
                + RecordChecks.typeName(detail)
                + ", not an object as its format says",
            "detail");
      }
      if (!looksLikeCloudTrail(d)) {
        return false;
      }
      try {
        RecordChecks.cloudTrailRecord(d, requireFields);
      } catch (InvalidEventException e) {
        throw new InvalidEventException(
            e.reason(), "detail: " + e.getMessage(), "detail." + e.field());
      }
      events.add(cloudTrail.parse(d, arrival));
      return true;
    }
    if (obj.has("logEvents") && obj.has("messageType") && !oneEvent) {
      JsonNode logEvents = obj.get("logEvents");
      RecordChecks.batchList(logEvents, "logEvents", "a CloudWatch Logs subscription payload");
      String messageType = RecordChecks.messageType(obj);
      if (logEvents == null
          || logEvents.isNull()
          || RecordChecks.CONTROL_MESSAGE.equals(messageType)) {
        return true; // CloudWatch Logs control message: no events in it
      }
      for (int i = 0; i < logEvents.size(); i++) {
        String loc = "logEvents[" + i + "].message";
        String message = Json.text(logEvents.get(i), "message");
        try {
          JsonNode inner = message == null ? null : strict.readTree(message);
          if (inner == null) {
            rejected.add(reject(loc, InvalidEventException.INVALID_RECORD, "no message", null));
          } else {
            element(inner, loc, arrival, events, rejected, depth + 1);
          }
        } catch (IOException e) {
          rejected.add(
              reject(loc, InvalidEventException.NOT_JSON, "the message is not JSON", null));
        }
      }
      return true;
    }
    if (looksLikeKubernetesAudit(obj)) {
      RecordChecks.auditEvent(obj, requireFields);
      events.add(kubernetes.parse(obj, arrival));
      return true;
    }
    if (looksLikeCloudTrail(obj)) {
      RecordChecks.cloudTrailRecord(obj, requireFields);
      events.add(cloudTrail.parse(obj, arrival));
      return true;
    }
    return false;
  }

  private void element(
      JsonNode node,
      String location,
      Instant arrival,
      List<ChangeEvent> events,
      List<DecodedBatch.Rejected> rejected,
      int depth) {
    try {
      if (!decodeNode(node, location, arrival, events, rejected, depth + 1)) {
        rejected.add(
            reject(
                location,
                InvalidEventException.INVALID_RECORD,
                location + " is not an event: " + shapeHint(node),
                node));
      }
    } catch (InvalidEventException e) {
      rejected.add(reject(location, e.reason(), location + ": " + e.getMessage(), node, e.field()));
    } catch (RuntimeException e) {
      rejected.add(
          reject(
              location,
              InvalidEventException.INVALID_RECORD,
              location + " could not be read: " + e,
              node));
    }
  }

  private DecodedBatch.Rejected reject(String location, String reason, String msg, JsonNode node) {
    return reject(location, reason, msg, node, null);
  }

  private DecodedBatch.Rejected reject(
      String location, String reason, String msg, JsonNode node, String field) {
    byte[] payload = new byte[0];
    if (node != null) {
      SecretRedactor.redact(node);
      try {
        payload = mapper.writeValueAsBytes(node);
      } catch (JsonProcessingException e) {
        payload = new byte[0];
      }
    }
    return new DecodedBatch.Rejected(location, reason, msg, payload, field);
  }

  /** True when the object carries the fields of one event, whatever else it carries. */
  static boolean looksLikeOneEvent(JsonNode n) {
    return n.has("eventName") || n.has("eventSource") || n.has("auditID") || n.has("verb");
  }

  static boolean looksLikeCloudTrail(JsonNode n) {
    return n.has("eventName") || n.has("eventSource");
  }

  static boolean looksLikeKubernetesAudit(JsonNode n) {
    String apiVersion = Json.text(n, "apiVersion");
    if (apiVersion != null && apiVersion.startsWith("audit.k8s.io/")) {
      return true;
    }
    if ("Event".equals(Json.text(n, "kind")) && n.has("user")) {
      return true;
    }
    return n.has("auditID")
        || n.has("objectRef") && (n.has("verb") || n.has("user"))
        || n.has("verb") && n.has("requestURI");
  }

  private static String shapeHint(JsonNode n) {
    if (n.isObject()) {
      List<String> names = new ArrayList<>();
      n.fieldNames().forEachRemaining(names::add);
      if (names.size() > 8) {
        names = names.subList(0, 8);
      }
      return "a JSON object with fields "
          + names
          + " is neither a CloudTrail record (eventName, eventSource), a CloudTrail log file"
          + " (Records), an EventBridge envelope (detail-type, detail) nor a Kubernetes audit"
          + " Event or EventList";
    }
    return "a JSON " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " is no event";
  }

  private static boolean isGzip(byte[] b) {
    return b.length >= 2 && (b[0] & 0xff) == GZIP_MAGIC_1 && (b[1] & 0xff) == GZIP_MAGIC_2;
  }

  private byte[] gunzip(byte[] bytes) throws InvalidEventException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 8);
      byte[] buf = new byte[16384];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > maxBytes) {
          throw new InvalidEventException(
              InvalidEventException.TOO_LARGE,
              "the gzip input decompresses to more than the limit of " + maxBytes + " bytes");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new InvalidEventException(
          InvalidEventException.BAD_GZIP, "the input looks like gzip but does not decompress", e);
    }
  }
}
