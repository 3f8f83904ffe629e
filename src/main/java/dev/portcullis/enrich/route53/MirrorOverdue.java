package dev.portcullis.enrich.route53;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A record change in one zone of a configured pair whose mirror (same name relative to the apex,
 * same type, same action) did not appear in the other zone within the window. Worked out by {@link
 * ZoneSplitBrainFacts} once the window has passed, and inserted beside the original change event
 * for the rules of {@code dns-zone-split-brain}, which judge it.
 *
 * @param eventId the original change event
 * @param zone the zone that changed
 * @param pairZone the zone that should have mirrored it
 * @param name the full name changed, normalised
 * @param expectedName the full name the mirror would have, normalised
 * @param type record type
 * @param action CREATE, UPSERT or DELETE
 * @param windowSeconds the window it was given
 * @param decidedBy {@code event time} or {@code wall clock}
 */
public record MirrorOverdue(
    String eventId,
    ZonePairs.Side zone,
    ZonePairs.Side pairZone,
    String name,
    String expectedName,
    String type,
    String action,
    long windowSeconds,
    String decidedBy) {

  public String getEventId() {
    return eventId;
  }

  /** {@code api.blue.k8s.example.com A}. */
  public String getRecord() {
    return Route53Names.display(name) + " " + type;
  }

  /** {@code api.example.com A}. */
  public String getExpected() {
    return Route53Names.display(expectedName) + " " + type;
  }

  /** {@code Z0BLUE (blue.k8s.example.com)}. */
  public String getZoneText() {
    return zone.describe();
  }

  /** {@code Z0BALANCER (example.com)}. */
  public String getPairZoneText() {
    return pairZone.describe();
  }

  public String getAction() {
    return action;
  }

  /** {@code created}, {@code changed} or {@code deleted}. */
  public String getVerb() {
    return switch (action) {
      case RecordSetChange.CREATE -> "created";
      case RecordSetChange.DELETE -> "deleted";
      default -> "changed";
    };
  }

  public long getWindowSeconds() {
    return windowSeconds;
  }

  public String getDecidedBy() {
    return decidedBy;
  }

  /** The facts behind a decision, for its {@code details}. */
  public Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("eventId", eventId);
    d.put("hostedZoneId", zone.zoneId());
    d.put("pairHostedZoneId", pairZone.zoneId());
    d.put("recordName", name);
    d.put("expectedName", expectedName);
    d.put("recordType", type);
    d.put("changeAction", action);
    d.put("windowSeconds", windowSeconds);
    d.put("decidedBy", decidedBy);
    return d;
  }
}
