package dev.portcullis.event.s3;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the lifecycle configuration of a {@code PutBucketLifecycle} CloudTrail record (CloudTrail's
 * name for both PutBucketLifecycle and PutBucketLifecycleConfiguration) from {@code
 * requestParameters.LifecycleConfiguration.Rule}: one rule arrives as an object, several as a list.
 *
 * <p>Per rule: {@code Filter} as {@code ""}, {@code {}} or missing (whole bucket), {@code
 * Filter.Prefix}, {@code Filter.Tag}, {@code Filter.ObjectSizeGreaterThan}/{@code LessThan}, or
 * {@code Filter.And} with any of these (one {@code Tag} or a list); the legacy {@code Prefix} on
 * the rule; {@code Status}; {@code Expiration} (Days, Date, ExpiredObjectDeleteMarker); {@code
 * Transition} (one or a list, Days or Date, StorageClass); {@code NoncurrentVersionExpiration};
 * {@code NoncurrentVersionTransition}; {@code AbortIncompleteMultipartUpload}. Numbers and booleans
 * may be JSON values or strings. Lenient: an element it cannot read is left out, never an error.
 */
public final class LifecycleConfiguration {

  private LifecycleConfiguration() {}

  /** The rules of the request, in order; empty when it holds none. */
  public static List<LifecycleRule> rules(JsonNode requestParameters) {
    JsonNode config = XmlJson.child(requestParameters, "LifecycleConfiguration");
    List<JsonNode> raw = XmlJson.elements(config, "Rule");
    if (raw.isEmpty()) {
      raw = XmlJson.elements(config, "Rules");
    }
    List<LifecycleRule> out = new ArrayList<>(raw.size());
    int n = 0;
    for (JsonNode r : raw) {
      n++;
      if (r.isObject()) {
        out.add(rule(r, n));
      }
    }
    return out;
  }

  /** The {@code LifecycleConfiguration} element as recorded (for state), or null. */
  public static JsonNode configuration(JsonNode requestParameters) {
    JsonNode config = XmlJson.child(requestParameters, "LifecycleConfiguration");
    return config == null || config.isNull() || config.isMissingNode() ? null : config;
  }

  static LifecycleRule rule(JsonNode r, int position) {
    String id = XmlJson.text(r, "ID");
    if (id == null || id.isBlank()) {
      id = "rule-" + position;
    }
    String status = XmlJson.text(r, "Status");
    boolean enabled = status != null && status.trim().equalsIgnoreCase("Enabled");
    return new LifecycleRule(id, enabled, filter(r), actions(r));
  }

  static LifecycleFilter filter(JsonNode rule) {
    JsonNode f = XmlJson.child(rule, "Filter");
    if (f == null || !f.isObject() || f.isEmpty()) {
      // No Filter (or "" / {}): the legacy Prefix on the rule, else the whole bucket.
      String legacy = XmlJson.text(rule, "Prefix");
      return new LifecycleFilter(legacy == null ? "" : legacy, Map.of(), null, null);
    }
    JsonNode and = XmlJson.child(f, "And");
    JsonNode conditions = and != null && and.isObject() ? and : f;
    String prefix = XmlJson.text(conditions, "Prefix");
    if (prefix == null && conditions != f) {
      prefix = XmlJson.text(f, "Prefix");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (JsonNode t : XmlJson.elements(conditions, "Tag")) {
      String k = XmlJson.text(t, "Key");
      if (k != null) {
        String v = XmlJson.text(t, "Value");
        tags.put(k, v == null ? "" : v);
      }
    }
    return new LifecycleFilter(
        prefix,
        tags,
        XmlJson.number(conditions, "ObjectSizeGreaterThan"),
        XmlJson.number(conditions, "ObjectSizeLessThan"));
  }

  static List<LifecycleAction> actions(JsonNode rule) {
    List<LifecycleAction> out = new ArrayList<>();
    for (JsonNode e : XmlJson.elements(rule, "Expiration")) {
      Long days = XmlJson.number(e, "Days");
      LocalDate date = date(XmlJson.text(e, "Date"));
      if (days != null || date != null) {
        out.add(new LifecycleAction(LifecycleAction.Kind.EXPIRATION, days, date, null));
      }
      if (XmlJson.truthy(e, "ExpiredObjectDeleteMarker")) {
        out.add(new LifecycleAction(LifecycleAction.Kind.EXPIRED_DELETE_MARKERS, null, null, null));
      }
    }
    for (String name : List.of("Transition", "Transitions")) {
      for (JsonNode t : XmlJson.elements(rule, name)) {
        out.add(
            new LifecycleAction(
                LifecycleAction.Kind.TRANSITION,
                XmlJson.number(t, "Days"),
                date(XmlJson.text(t, "Date")),
                storageClass(t)));
      }
    }
    for (JsonNode e : XmlJson.elements(rule, "NoncurrentVersionExpiration")) {
      out.add(
          new LifecycleAction(
              LifecycleAction.Kind.NONCURRENT_EXPIRATION,
              XmlJson.number(e, "NoncurrentDays"),
              null,
              null));
    }
    for (String name : List.of("NoncurrentVersionTransition", "NoncurrentVersionTransitions")) {
      for (JsonNode t : XmlJson.elements(rule, name)) {
        out.add(
            new LifecycleAction(
                LifecycleAction.Kind.NONCURRENT_TRANSITION,
                XmlJson.number(t, "NoncurrentDays"),
                null,
                storageClass(t)));
      }
    }
    for (JsonNode a : XmlJson.elements(rule, "AbortIncompleteMultipartUpload")) {
      out.add(
          new LifecycleAction(
              LifecycleAction.Kind.ABORT_MULTIPART,
              XmlJson.number(a, "DaysAfterInitiation"),
              null,
              null));
    }
    return out;
  }

  private static String storageClass(JsonNode t) {
    String s = XmlJson.text(t, "StorageClass");
    return s == null ? null : s.trim().toUpperCase(java.util.Locale.ROOT);
  }

  /** A lifecycle date: ISO date-time ({@code 2026-12-01T00:00:00Z}, with or without millis). */
  static LocalDate date(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.trim();
    try {
      return OffsetDateTime.parse(t).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
    } catch (DateTimeParseException e) {
      // fall through
    }
    try {
      return Instant.parse(t).atOffset(ZoneOffset.UTC).toLocalDate();
    } catch (DateTimeParseException e) {
      // fall through
    }
    try {
      return LocalDate.parse(t.length() >= 10 ? t.substring(0, 10) : t);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
