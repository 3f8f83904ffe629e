package dev.portcullis.enforce.revert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.event.s3.XmlJson;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.NoncurrentVersionExpiration;
import software.amazon.awssdk.services.s3.model.NoncurrentVersionTransition;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Transition;

/**
 * Bucket lifecycle rules as a revert handles them: read in full from the {@code
 * LifecycleConfiguration} a CloudTrail {@code PutBucketLifecycle} record carries (one rule as an
 * object, several as a list; numbers as strings or numbers; element names in any case) into the AWS
 * SDK's model, so they can be written back with PutBucketLifecycleConfiguration; compared by what
 * they do, so the configuration S3 returns can be matched with the one an event set; and written as
 * JSON in S3's element names for logs and decision records.
 *
 * <p>Two rules are the same when their status, filter (prefix: {@code Filter.Prefix}, {@code
 * Filter.And.Prefix} or the legacy rule {@code Prefix}; tags, size bounds) and actions are the
 * same; their ids must be equal too, except where the event's rule had none (S3 then makes one).
 */
public final class LifecycleRules {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private LifecycleRules() {}

  /**
   * One rule of an event's configuration.
   *
   * @param ref how the decision names it: its {@code ID}, or {@code rule-<n>} (1-based position)
   *     when it has none (as {@link dev.portcullis.event.s3.LifecycleConfiguration} names it)
   * @param hasId false when the event gave no ID (S3 assigns one)
   * @param rule the rule in the SDK's model
   */
  record EventRule(String ref, boolean hasId, LifecycleRule rule) {}

  /** The rules of a {@code LifecycleConfiguration} element as CloudTrail records it. */
  static List<EventRule> read(JsonNode configuration) {
    List<JsonNode> raw = XmlJson.elements(configuration, "Rule");
    if (raw.isEmpty()) {
      raw = XmlJson.elements(configuration, "Rules");
    }
    List<EventRule> out = new ArrayList<>(raw.size());
    int n = 0;
    for (JsonNode r : raw) {
      n++;
      if (!r.isObject()) {
        continue;
      }
      String id = XmlJson.text(r, "ID");
      boolean hasId = id != null && !id.isBlank();
      out.add(new EventRule(hasId ? id : "rule-" + n, hasId, rule(r, hasId ? id : null)));
    }
    return out;
  }

  /** The SDK rules of an event's configuration. */
  static List<LifecycleRule> sdkRules(List<EventRule> rules) {
    return rules.stream().map(EventRule::rule).toList();
  }

  @SuppressWarnings("deprecation") // the legacy rule-level Prefix is what some configurations use
  private static LifecycleRule rule(JsonNode r, String id) {
    LifecycleRule.Builder b = LifecycleRule.builder().id(id);
    String status = XmlJson.text(r, "Status");
    b.status(status == null ? "Disabled" : status.trim());
    if (XmlJson.has(r, "Filter")) {
      b.filter(filter(XmlJson.child(r, "Filter")));
    } else if (XmlJson.has(r, "Prefix")) {
      String legacy = XmlJson.text(r, "Prefix");
      b.prefix(legacy == null ? "" : legacy);
    } else {
      b.filter(LifecycleRuleFilter.builder().build());
    }
    for (JsonNode e : XmlJson.elements(r, "Expiration")) {
      LifecycleExpiration.Builder x = LifecycleExpiration.builder();
      Long days = XmlJson.number(e, "Days");
      if (days != null) {
        x.days(days.intValue());
      }
      Instant date = date(XmlJson.text(e, "Date"));
      if (date != null) {
        x.date(date);
      }
      if (XmlJson.has(e, "ExpiredObjectDeleteMarker")) {
        x.expiredObjectDeleteMarker(XmlJson.truthy(e, "ExpiredObjectDeleteMarker"));
      }
      b.expiration(x.build());
    }
    List<Transition> transitions = new ArrayList<>();
    for (String name : List.of("Transition", "Transitions")) {
      for (JsonNode t : XmlJson.elements(r, name)) {
        Transition.Builder x = Transition.builder().storageClass(storageClass(t));
        Long days = XmlJson.number(t, "Days");
        if (days != null) {
          x.days(days.intValue());
        }
        Instant date = date(XmlJson.text(t, "Date"));
        if (date != null) {
          x.date(date);
        }
        transitions.add(x.build());
      }
    }
    if (!transitions.isEmpty()) {
      b.transitions(transitions);
    }
    for (JsonNode e : XmlJson.elements(r, "NoncurrentVersionExpiration")) {
      NoncurrentVersionExpiration.Builder x = NoncurrentVersionExpiration.builder();
      Long days = XmlJson.number(e, "NoncurrentDays");
      if (days != null) {
        x.noncurrentDays(days.intValue());
      }
      Long newer = XmlJson.number(e, "NewerNoncurrentVersions");
      if (newer != null) {
        x.newerNoncurrentVersions(newer.intValue());
      }
      b.noncurrentVersionExpiration(x.build());
    }
    List<NoncurrentVersionTransition> noncurrent = new ArrayList<>();
    for (String name : List.of("NoncurrentVersionTransition", "NoncurrentVersionTransitions")) {
      for (JsonNode t : XmlJson.elements(r, name)) {
        NoncurrentVersionTransition.Builder x =
            NoncurrentVersionTransition.builder().storageClass(storageClass(t));
        Long days = XmlJson.number(t, "NoncurrentDays");
        if (days != null) {
          x.noncurrentDays(days.intValue());
        }
        Long newer = XmlJson.number(t, "NewerNoncurrentVersions");
        if (newer != null) {
          x.newerNoncurrentVersions(newer.intValue());
        }
        noncurrent.add(x.build());
      }
    }
    if (!noncurrent.isEmpty()) {
      b.noncurrentVersionTransitions(noncurrent);
    }
    for (JsonNode a : XmlJson.elements(r, "AbortIncompleteMultipartUpload")) {
      Long days = XmlJson.number(a, "DaysAfterInitiation");
      b.abortIncompleteMultipartUpload(
          AbortIncompleteMultipartUpload.builder()
              .daysAfterInitiation(days == null ? null : days.intValue())
              .build());
    }
    return b.build();
  }

  private static LifecycleRuleFilter filter(JsonNode f) {
    LifecycleRuleFilter.Builder b = LifecycleRuleFilter.builder();
    if (f == null || !f.isObject() || f.isEmpty()) {
      return b.build(); // "" or {}: the whole bucket
    }
    JsonNode and = XmlJson.child(f, "And");
    if (and != null && and.isObject()) {
      LifecycleRuleAndOperator.Builder a = LifecycleRuleAndOperator.builder();
      String prefix = XmlJson.text(and, "Prefix");
      if (prefix != null) {
        a.prefix(prefix);
      }
      List<Tag> tags = tags(and);
      if (!tags.isEmpty()) {
        a.tags(tags);
      }
      a.objectSizeGreaterThan(XmlJson.number(and, "ObjectSizeGreaterThan"));
      a.objectSizeLessThan(XmlJson.number(and, "ObjectSizeLessThan"));
      return b.and(a.build()).build();
    }
    if (XmlJson.has(f, "Prefix")) {
      String prefix = XmlJson.text(f, "Prefix");
      b.prefix(prefix == null ? "" : prefix);
    }
    List<Tag> tags = tags(f);
    if (!tags.isEmpty()) {
      b.tag(tags.get(0));
    }
    b.objectSizeGreaterThan(XmlJson.number(f, "ObjectSizeGreaterThan"));
    b.objectSizeLessThan(XmlJson.number(f, "ObjectSizeLessThan"));
    return b.build();
  }

  private static List<Tag> tags(JsonNode parent) {
    List<Tag> out = new ArrayList<>();
    for (JsonNode t : XmlJson.elements(parent, "Tag")) {
      String k = XmlJson.text(t, "Key");
      if (k != null) {
        String v = XmlJson.text(t, "Value");
        out.add(Tag.builder().key(k).value(v == null ? "" : v).build());
      }
    }
    return out;
  }

  private static String storageClass(JsonNode t) {
    String s = XmlJson.text(t, "StorageClass");
    return s == null ? null : s.trim().toUpperCase(Locale.ROOT);
  }

  /** A lifecycle date: ISO date-time (S3 keeps midnight UTC), or a plain date. */
  static Instant date(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.trim();
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      // fall through
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      // fall through
    }
    try {
      return LocalDate.parse(t.length() >= 10 ? t.substring(0, 10) : t)
          .atStartOfDay()
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  // ---- comparing ----

  /** What a rule does, ID aside, in a canonical text. */
  @SuppressWarnings("deprecation")
  static String canonical(LifecycleRule r) {
    StringBuilder s = new StringBuilder();
    s.append("status=").append(lower(r.statusAsString()));
    LifecycleRuleFilter f = r.filter();
    String prefix = r.prefix();
    Set<String> tags = new TreeSet<>();
    Long gt = null;
    Long lt = null;
    if (f != null) {
      if (f.and() != null) {
        prefix = f.and().prefix();
        f.and().tags().forEach(t -> tags.add(t.key() + "=" + t.value()));
        gt = f.and().objectSizeGreaterThan();
        lt = f.and().objectSizeLessThan();
      } else {
        prefix = f.prefix();
        if (f.tag() != null) {
          tags.add(f.tag().key() + "=" + f.tag().value());
        }
        gt = f.objectSizeGreaterThan();
        lt = f.objectSizeLessThan();
      }
    }
    s.append(";prefix=").append(prefix == null ? "" : prefix);
    s.append(";tags=").append(tags);
    s.append(";gt=").append(gt).append(";lt=").append(lt);
    LifecycleExpiration e = r.expiration();
    if (e != null) {
      s.append(";expiration=")
          .append(e.days())
          .append('/')
          .append(day(e.date()))
          .append('/')
          .append(Boolean.TRUE.equals(e.expiredObjectDeleteMarker()));
    }
    Set<String> ts = new TreeSet<>();
    r.transitions()
        .forEach(
            t -> ts.add(t.days() + "/" + day(t.date()) + "/" + upper(t.storageClassAsString())));
    s.append(";transitions=").append(ts);
    NoncurrentVersionExpiration n = r.noncurrentVersionExpiration();
    if (n != null) {
      s.append(";noncurrentExpiration=")
          .append(n.noncurrentDays())
          .append('/')
          .append(n.newerNoncurrentVersions());
    }
    Set<String> nts = new TreeSet<>();
    r.noncurrentVersionTransitions()
        .forEach(
            t ->
                nts.add(
                    t.noncurrentDays()
                        + "/"
                        + t.newerNoncurrentVersions()
                        + "/"
                        + upper(t.storageClassAsString())));
    s.append(";noncurrentTransitions=").append(nts);
    AbortIncompleteMultipartUpload a = r.abortIncompleteMultipartUpload();
    if (a != null) {
      s.append(";abortMultipart=").append(a.daysAfterInitiation());
    }
    return s.toString();
  }

  private static String day(Instant i) {
    return i == null ? "null" : i.atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }

  private static String upper(String s) {
    return s == null ? "" : s.toUpperCase(Locale.ROOT);
  }

  /**
   * True when {@code current} holds exactly the rules {@code expected} describes: as many rules,
   * each expected rule matched by a distinct current rule that does the same (and has the same ID
   * where the expected one has one).
   */
  static boolean same(List<EventRule> expected, List<LifecycleRule> current) {
    return expected.size() == current.size() && match(expected, current) != null;
  }

  /**
   * The current rule each expected rule corresponds to (same order as {@code expected}); null when
   * one has no counterpart.
   */
  static List<LifecycleRule> match(List<EventRule> expected, List<LifecycleRule> current) {
    List<LifecycleRule> left = new ArrayList<>(current);
    // Rules with an ID first, so an ID-less rule cannot take the counterpart of a named one.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < expected.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(i -> !expected.get(i).hasId()));
    LifecycleRule[] found = new LifecycleRule[expected.size()];
    for (int i : order) {
      EventRule e = expected.get(i);
      String want = canonical(e.rule());
      LifecycleRule hit = null;
      for (LifecycleRule c : left) {
        if ((!e.hasId() || Objects.equals(e.rule().id(), c.id())) && want.equals(canonical(c))) {
          hit = c;
          break;
        }
      }
      if (hit == null) {
        return null;
      }
      left.remove(hit);
      found[i] = hit;
    }
    return List.of(found);
  }

  /** The rules of {@code all} without those in {@code remove} (by identity), in order. */
  static List<LifecycleRule> without(List<LifecycleRule> all, Collection<LifecycleRule> remove) {
    List<LifecycleRule> out = new ArrayList<>();
    for (LifecycleRule r : all) {
      if (remove.stream().noneMatch(x -> x == r)) {
        out.add(r);
      }
    }
    return out;
  }

  // ---- JSON for logs and records ----

  /** A configuration as JSON in S3's element names: {@code {"Rules":[{"ID",...}]}}. */
  public static ObjectNode json(List<LifecycleRule> rules) {
    ObjectNode out = JSON.objectNode();
    ArrayNode list = out.putArray("Rules");
    rules.forEach(r -> list.add(json(r)));
    return out;
  }

  @SuppressWarnings("deprecation")
  static ObjectNode json(LifecycleRule r) {
    ObjectNode n = JSON.objectNode();
    if (r.id() != null) {
      n.put("ID", r.id());
    }
    n.put("Status", r.statusAsString());
    if (r.prefix() != null) {
      n.put("Prefix", r.prefix());
    }
    LifecycleRuleFilter f = r.filter();
    if (f != null) {
      ObjectNode fn = n.putObject("Filter");
      if (f.and() != null) {
        ObjectNode and = fn.putObject("And");
        if (f.and().prefix() != null) {
          and.put("Prefix", f.and().prefix());
        }
        if (f.and().hasTags()) {
          ArrayNode tags = and.putArray("Tag");
          f.and().tags().forEach(t -> tags.addObject().put("Key", t.key()).put("Value", t.value()));
        }
        putIf(and, "ObjectSizeGreaterThan", f.and().objectSizeGreaterThan());
        putIf(and, "ObjectSizeLessThan", f.and().objectSizeLessThan());
      } else {
        if (f.prefix() != null) {
          fn.put("Prefix", f.prefix());
        }
        if (f.tag() != null) {
          fn.putObject("Tag").put("Key", f.tag().key()).put("Value", f.tag().value());
        }
        putIf(fn, "ObjectSizeGreaterThan", f.objectSizeGreaterThan());
        putIf(fn, "ObjectSizeLessThan", f.objectSizeLessThan());
      }
    }
    LifecycleExpiration e = r.expiration();
    if (e != null) {
      ObjectNode x = n.putObject("Expiration");
      putIf(x, "Days", e.days());
      if (e.date() != null) {
        x.put("Date", e.date().toString());
      }
      if (e.expiredObjectDeleteMarker() != null) {
        x.put("ExpiredObjectDeleteMarker", e.expiredObjectDeleteMarker());
      }
    }
    if (r.hasTransitions()) {
      ArrayNode ts = n.putArray("Transition");
      for (Transition t : r.transitions()) {
        ObjectNode x = ts.addObject();
        putIf(x, "Days", t.days());
        if (t.date() != null) {
          x.put("Date", t.date().toString());
        }
        x.put("StorageClass", t.storageClassAsString());
      }
    }
    NoncurrentVersionExpiration ne = r.noncurrentVersionExpiration();
    if (ne != null) {
      ObjectNode x = n.putObject("NoncurrentVersionExpiration");
      putIf(x, "NoncurrentDays", ne.noncurrentDays());
      putIf(x, "NewerNoncurrentVersions", ne.newerNoncurrentVersions());
    }
    if (r.hasNoncurrentVersionTransitions()) {
      ArrayNode ts = n.putArray("NoncurrentVersionTransition");
      for (NoncurrentVersionTransition t : r.noncurrentVersionTransitions()) {
        ObjectNode x = ts.addObject();
        putIf(x, "NoncurrentDays", t.noncurrentDays());
        putIf(x, "NewerNoncurrentVersions", t.newerNoncurrentVersions());
        x.put("StorageClass", t.storageClassAsString());
      }
    }
    AbortIncompleteMultipartUpload a = r.abortIncompleteMultipartUpload();
    if (a != null) {
      ObjectNode x = n.putObject("AbortIncompleteMultipartUpload");
      putIf(x, "DaysAfterInitiation", a.daysAfterInitiation());
    }
    return n;
  }

  private static void putIf(ObjectNode n, String name, Number v) {
    if (v != null) {
      n.put(name, v.longValue());
    }
  }

  /** The ids of rules for messages ({@code expire-old-backups, abort-uploads}). */
  static String ids(List<LifecycleRule> rules) {
    List<String> out = new ArrayList<>();
    for (LifecycleRule r : rules) {
      out.add(r.id() == null ? "(no id)" : r.id());
    }
    return String.join(", ", out);
  }
}
