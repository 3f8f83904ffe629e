package dev.portcullis.enrich.route53;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One Route53 resource record set as CloudTrail logs it in {@code ChangeResourceRecordSets} (the
 * SDK's lowerCamel names: {@code name}, {@code type}, {@code setIdentifier}, {@code weight}, {@code
 * tTL}, {@code resourceRecords[].value}, {@code aliasTarget.dNSName}, {@code region}, {@code
 * failover}, {@code geoLocation}, ...) and as the {@code route53.recordSets} lookup answers.
 *
 * @param name normalised (lower case, final dot)
 * @param type upper case ({@code A}, {@code CNAME})
 * @param setIdentifier the member of a routing group, or null for a simple record
 * @param weight the weight of a weighted member (0-255), or null when the record is not weighted
 * @param ttl seconds, or null (alias records have none)
 * @param values the resource records' values, in order
 * @param aliasTarget the alias target's DNS name, or null
 * @param routing {@code weighted}, {@code latency}, {@code failover}, {@code geolocation}, {@code
 *     geoproximity}, {@code multivalue}, {@code cidr} or {@code simple}
 */
public record RecordSet(
    String name,
    String type,
    String setIdentifier,
    Long weight,
    Long ttl,
    List<String> values,
    String aliasTarget,
    String routing) {

  /** Reads one record set; null when it has no name or type. */
  public static RecordSet of(JsonNode rrs) {
    if (rrs == null || !rrs.isObject()) {
      return null;
    }
    String name = Route53Names.normalise(text(rrs, "name", "Name"));
    String type = text(rrs, "type", "Type");
    if (name == null || type == null) {
      return null;
    }
    String setId = text(rrs, "setIdentifier", "SetIdentifier");
    Long weight = number(rrs, "weight", "Weight");
    Long ttl = number(rrs, "tTL", "ttl", "TTL");
    List<String> values = new ArrayList<>();
    JsonNode records = field(rrs, "resourceRecords", "ResourceRecords");
    if (records != null && records.isArray()) {
      for (JsonNode r : records) {
        String v = text(r, "value", "Value");
        if (v != null) {
          values.add(v);
        }
      }
    }
    JsonNode alias = field(rrs, "aliasTarget", "AliasTarget");
    String aliasTarget =
        alias == null ? null : Route53Names.normalise(text(alias, "dNSName", "dnsName", "DNSName"));
    return new RecordSet(
        name,
        type.trim().toUpperCase(Locale.ROOT),
        setId,
        weight,
        ttl,
        List.copyOf(values),
        aliasTarget,
        routing(rrs, setId, weight));
  }

  private static String routing(JsonNode rrs, String setId, Long weight) {
    if (weight != null) {
      return "weighted";
    }
    if (field(rrs, "failover", "Failover") != null) {
      return "failover";
    }
    if (field(rrs, "geoLocation", "GeoLocation") != null) {
      return "geolocation";
    }
    if (field(rrs, "geoProximityLocation", "GeoProximityLocation") != null) {
      return "geoproximity";
    }
    if (field(rrs, "cidrRoutingConfig", "CidrRoutingConfig") != null) {
      return "cidr";
    }
    if (field(rrs, "region", "Region") != null) {
      return "latency";
    }
    JsonNode mv = field(rrs, "multiValueAnswer", "MultiValueAnswer");
    if (mv != null && mv.asBoolean(false)) {
      return "multivalue";
    }
    return setId == null ? "simple" : "other";
  }

  /** True for a member of a weighted routing group. */
  public boolean isWeighted() {
    return weight != null;
  }

  /** Where the member sends traffic: the alias target, or its values, for messages. */
  public String target() {
    if (aliasTarget != null) {
      return "alias " + Route53Names.display(aliasTarget);
    }
    return String.join(",", values);
  }

  /** The member name used in messages and state: its set identifier, or the name. */
  public String member() {
    return setIdentifier != null ? setIdentifier : Route53Names.display(name);
  }

  static JsonNode field(JsonNode n, String... names) {
    for (String f : names) {
      JsonNode v = n.get(f);
      if (v != null && !v.isNull() && !v.isMissingNode()) {
        return v;
      }
    }
    return null;
  }

  static String text(JsonNode n, String... names) {
    JsonNode v = field(n, names);
    if (v == null || !v.isValueNode()) {
      return null;
    }
    String t = v.asText();
    return t.isBlank() ? null : t;
  }

  static Long number(JsonNode n, String... names) {
    JsonNode v = field(n, names);
    if (v == null) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.longValue();
    }
    if (v.isTextual()) {
      try {
        return Long.parseLong(v.asText().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return v.isNumber() ? (long) v.doubleValue() : null;
  }
}
