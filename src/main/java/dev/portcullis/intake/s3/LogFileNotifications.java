package dev.portcullis.intake.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one SQS message body and says which S3 objects it announces. Four shapes reach the queue:
 *
 * <ul>
 *   <li>an S3 event notification, {@code Records[].s3.bucket.name} and {@code
 *       Records[].s3.object.key} (the key URL-encoded, {@code +} for a space), sent by the bucket
 *       straight to the queue;
 *   <li>the same inside an SNS envelope, {@code {"Type":"Notification","Message":"<json>"}}, when
 *       the bucket notifies an SNS topic the queue subscribes to (without raw message delivery);
 *   <li>an EventBridge event, {@code {"source":"aws.s3","detail-type":"Object Created",
 *       "detail":{"bucket":{"name"},"object":{"key"}}}}, when a rule sends the bucket's events on;
 *   <li>CloudTrail's own notification per delivered file, {@code {"s3Bucket":"b",
 *       "s3ObjectKey":["..."]}}, usually inside an SNS envelope.
 * </ul>
 *
 * Out comes a {@link Notification}: the objects, or why there is nothing to read (S3's {@code
 * s3:TestEvent} when a notification is configured, another event type, an unknown shape). Which of
 * the objects are CloudTrail log files is {@link #isLogFile(String)}'s call, not the parser's.
 */
public final class LogFileNotifications {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LogFileNotifications() {}

  /** The shape a message came in (bounded: used as a metric tag). */
  public enum Shape {
    S3_EVENT("s3-event"),
    SNS_S3_EVENT("sns-s3-event"),
    EVENTBRIDGE("eventbridge"),
    CLOUDTRAIL_SNS("cloudtrail-sns"),
    TEST_EVENT("test-event"),
    OTHER_EVENT("other-event"),
    UNKNOWN("unknown");

    private final String tag;

    Shape(String tag) {
      this.tag = tag;
    }

    /** The shape's metric tag value. */
    public String tag() {
      return tag;
    }
  }

  /** One object of a bucket, its key decoded. */
  public record S3Object(String bucket, String key) {
    /** {@code s3://bucket/key}. */
    public String uri() {
      return "s3://" + bucket + "/" + key;
    }
  }

  /**
   * What one message said.
   *
   * @param shape the shape it came in
   * @param objects the announced objects (empty for a test event, another event, an unknown shape)
   * @param detail why nothing is announced, for the log; empty otherwise
   */
  public record Notification(Shape shape, List<S3Object> objects, String detail) {

    /** Nothing in it to read: a test event, an event of another kind, a shape not known. */
    public boolean ignored() {
      return objects.isEmpty();
    }
  }

  /** Parses one message body; never throws (what cannot be read is {@link Shape#UNKNOWN}). */
  public static Notification parse(String body) {
    JsonNode root;
    try {
      root = body == null ? null : JSON.readTree(body);
    } catch (Exception e) {
      return unknown("not JSON");
    }
    if (root == null || !root.isObject()) {
      return unknown("not a JSON object");
    }
    if ("Notification".equals(text(root.get("Type"))) && root.has("Message")) {
      Notification inner = parse(text(root.get("Message")));
      return inner.shape() == Shape.S3_EVENT
          ? new Notification(Shape.SNS_S3_EVENT, inner.objects(), inner.detail())
          : inner;
    }
    if ("s3:TestEvent".equals(text(root.get("Event")))) {
      return new Notification(Shape.TEST_EVENT, List.of(), "s3:TestEvent");
    }
    if (root.has("Records")) {
      return s3Event(root.get("Records"));
    }
    if ("aws.s3".equals(text(root.get("source"))) && root.has("detail")) {
      return eventBridge(root);
    }
    if (root.has("s3Bucket") && root.has("s3ObjectKey")) {
      return cloudTrail(root);
    }
    return unknown("none of the known notification shapes");
  }

  /**
   * A CloudTrail log file: a key with a {@code CloudTrail} folder ({@code
   * AWSLogs/<account>/CloudTrail/<region>/...}) ending in {@code .json.gz}. Not digest files
   * ({@code CloudTrail-Digest/}), Insights files ({@code CloudTrail-Insight/}) or anything else the
   * bucket holds.
   */
  public static boolean isLogFile(String key) {
    if (key == null || !key.endsWith(".json.gz")) {
      return false;
    }
    String[] parts = key.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      if ("CloudTrail".equals(parts[i])) {
        return true;
      }
    }
    return false;
  }

  private static Notification s3Event(JsonNode records) {
    if (!records.isArray()) {
      return unknown("Records is not a list");
    }
    List<S3Object> objects = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (JsonNode r : records) {
      String event = text(r.get("eventName"));
      JsonNode s3 = r.get("s3");
      String bucket = s3 == null ? null : text(s3.at("/bucket/name"));
      String key = s3 == null ? null : text(s3.at("/object/key"));
      if (event != null && !event.startsWith("ObjectCreated:")) {
        others.add(event);
      } else if (bucket != null && key != null) {
        objects.add(new S3Object(bucket, decode(key)));
      }
    }
    if (objects.isEmpty()) {
      return others.isEmpty()
          ? unknown("no Records[].s3.bucket.name and s3.object.key")
          : new Notification(Shape.OTHER_EVENT, List.of(), String.join(", ", others));
    }
    return new Notification(Shape.S3_EVENT, List.copyOf(objects), "");
  }

  private static Notification eventBridge(JsonNode root) {
    String type = text(root.get("detail-type"));
    if (!"Object Created".equals(type)) {
      return new Notification(Shape.OTHER_EVENT, List.of(), "EventBridge " + type);
    }
    JsonNode detail = root.get("detail");
    String bucket = text(detail.at("/bucket/name"));
    String key = text(detail.at("/object/key"));
    if (bucket == null || key == null) {
      return unknown("an EventBridge Object Created event without detail.bucket.name or key");
    }
    // EventBridge carries the key as it is, unlike S3 event notifications.
    return new Notification(Shape.EVENTBRIDGE, List.of(new S3Object(bucket, key)), "");
  }

  private static Notification cloudTrail(JsonNode root) {
    String bucket = text(root.get("s3Bucket"));
    JsonNode keys = root.get("s3ObjectKey");
    List<S3Object> objects = new ArrayList<>();
    if (bucket != null && keys != null) {
      if (keys.isArray()) {
        for (JsonNode k : keys) {
          if (text(k) != null) {
            objects.add(new S3Object(bucket, text(k)));
          }
        }
      } else if (text(keys) != null) {
        objects.add(new S3Object(bucket, text(keys)));
      }
    }
    if (objects.isEmpty()) {
      return unknown("a CloudTrail notification without s3Bucket or s3ObjectKey");
    }
    return new Notification(Shape.CLOUDTRAIL_SNS, List.copyOf(objects), "");
  }

  /** S3 event notifications URL-encode the key ({@code +} is a space); a stray {@code %} stays. */
  static String decode(String key) {
    try {
      return URLDecoder.decode(key, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return key;
    }
  }

  private static Notification unknown(String why) {
    return new Notification(Shape.UNKNOWN, List.of(), why);
  }

  private static String text(JsonNode n) {
    return n != null && n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
  }
}
