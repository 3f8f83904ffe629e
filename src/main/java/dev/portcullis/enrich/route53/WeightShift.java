package dev.portcullis.enrich.route53;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The traffic shares of one Route53 weighted group (zone, name, type) before and after a {@code
 * ChangeResourceRecordSets} batch, worked out by {@link WeightShiftFacts}. A fact for the rules of
 * {@code dns-weight-shift}, which judge it; it judges nothing itself.
 *
 * <p>Shares are percentages of the group's traffic: a member's weight over the sum of weights, or
 * an even split when every weight is 0 (what Route53 does).
 *
 * @param eventId the change event
 * @param zoneId bare hosted zone id
 * @param name the record name, normalised (final dot)
 * @param type the record type
 * @param members every member before or after, sorted
 * @param beforeShares share of each member before the change; null when some member's weight before
 *     the change is unknown
 * @param afterShares share of each member after the change
 * @param beforeWeights weight of each member that existed before the change, as far as known
 * @param unknownBefore members whose weight before the change is not known
 * @param afterWeights weight of each member after the change
 * @param points the largest move of one member's share, in percentage points (0 when unknown)
 * @param fromMember the member that lost the most share, or null
 * @param toMember the member that gained the most share, or null
 * @param deletedWithTraffic members the batch deleted while they carried traffic, with their weight
 *     before, in batch order
 * @param allZero true when every remaining weight became 0
 * @param groupKnown true when the whole group is known (a lookup listed it, or Portcullis saw it
 *     listed before); otherwise shares are relative to the members Portcullis knows of
 * @param basis where "before" came from: {@code state} (what Portcullis has seen), {@code lookup}
 *     (ListResourceRecordSets), {@code state and lookup}, or {@code change batch} (the batch alone)
 * @param note why the batch was judged alone, or null: a failed lookup, or a newer change seen
 *     first
 */
public record WeightShift(
    String eventId,
    String zoneId,
    String name,
    String type,
    List<String> members,
    Map<String, Double> beforeShares,
    Map<String, Double> afterShares,
    Map<String, Long> beforeWeights,
    Set<String> unknownBefore,
    Map<String, Long> afterWeights,
    double points,
    String fromMember,
    String toMember,
    Map<String, Long> deletedWithTraffic,
    boolean allZero,
    boolean groupKnown,
    String basis,
    String note) {

  public String getEventId() {
    return eventId;
  }

  public String getZoneId() {
    return zoneId;
  }

  /** The record name as people write it ({@code api.example.com}). */
  public String getName() {
    return Route53Names.display(name);
  }

  public String getType() {
    return type;
  }

  public double getPoints() {
    return points;
  }

  public String getFromMember() {
    return fromMember;
  }

  public String getToMember() {
    return toMember;
  }

  public boolean isAllZero() {
    return allZero;
  }

  /** True when every member's share before the change is known. */
  public boolean isBeforeKnown() {
    return beforeShares != null;
  }

  /**
   * True when, after the batch, exactly one of two or more members known carries traffic: all of it
   * goes there.
   */
  public boolean isAllToOne() {
    return members.size() >= 2 && afterWeights.values().stream().filter(w -> w > 0).count() == 1;
  }

  /** True when a newer change of the record was recorded first: this batch is already history. */
  public boolean isLate() {
    return WeightShiftFacts.LATE_NOTE.equals(note);
  }

  /** The one member that carries all traffic after the batch, or null. */
  public String getAllToOneMember() {
    if (!isAllToOne()) {
      return null;
    }
    for (Map.Entry<String, Long> e : afterWeights.entrySet()) {
      if (e.getValue() > 0) {
        return e.getKey();
      }
    }
    return null;
  }

  /** True when the batch deleted a member that carried traffic. */
  public boolean isDeletesTraffic() {
    return !deletedWithTraffic.isEmpty();
  }

  public String getBasis() {
    return basis;
  }

  public String getNote() {
    return note;
  }

  /** {@code api.example.com A in zone Z123}. */
  public String getRecord() {
    return getName() + " " + type + " in zone " + zoneId;
  }

  /** The points as text: {@code 60} or {@code 33.3}. */
  public String getPointsText() {
    return percentText(points);
  }

  /** The members that remain after the change: {@code blue, green}. */
  public String getRemainingText() {
    return String.join(", ", afterShares.keySet());
  }

  /**
   * Where a deleted member's traffic goes: {@code , sending its traffic to green}, or {@code ,
   * leaving no weighted member to answer} when the whole group is known and none remains; empty
   * when none is known to remain but the group is not known whole.
   */
  public String getRemainingPhrase() {
    if (!afterShares.isEmpty()) {
      return ", sending its traffic to " + getRemainingText();
    }
    return groupKnown ? ", leaving no weighted member to answer" : "";
  }

  /** Each member's share before and after: {@code blue 70% -> 10%, green 30% -> 90%}. */
  public String getSharesText() {
    List<String> out = new ArrayList<>();
    for (String m : members) {
      Double b = beforeShares == null ? null : beforeShares.get(m);
      Double a = afterShares.get(m);
      String before = beforeShares == null ? "unknown" : b == null ? "none" : percentText(b) + "%";
      String after = a == null ? "deleted" : percentText(a) + "%";
      out.add(m + " " + before + " -> " + after);
    }
    return String.join(", ", out);
  }

  /**
   * Each member's weight before and after: {@code blue weight 70 -> deleted, green weight 30 -> 30}
   * ({@code unknown} when not known).
   */
  public String getWeightsText() {
    List<String> out = new ArrayList<>();
    for (String m : members) {
      Long b = beforeWeights.get(m);
      Long a = afterWeights.get(m);
      String before = b != null ? b.toString() : unknownBefore.contains(m) ? "unknown" : "none";
      out.add(m + " weight " + before + " -> " + (a == null ? "deleted" : a.toString()));
    }
    return String.join(", ", out);
  }

  /** Shares before and after when the whole group is known, else weights. */
  public String getChangeText() {
    return groupKnown ? getSharesText() : getWeightsText();
  }

  /**
   * The deleted members with their share before when the whole group is known ({@code blue (70% of
   * traffic)}), else with their weight ({@code blue (weight 70)}).
   */
  public String getDeletedText() {
    List<String> out = new ArrayList<>();
    deletedWithTraffic.forEach(
        (m, w) -> {
          Double share = beforeShares == null ? null : beforeShares.get(m);
          out.add(
              groupKnown && share != null
                  ? m + " (" + percentText(share) + "% of traffic)"
                  : m + " (weight " + w + ")");
        });
    return String.join(", ", out);
  }

  /**
   * A closing phrase when the decision rests on the batch alone ({@code ; decided on the change
   * batch alone: the Route53 lookup failed (timeout)}), else empty.
   */
  public String getBasisText() {
    return note == null ? "" : "; decided on the change batch alone: " + note;
  }

  /** The facts behind a decision, for its {@code details}. */
  public Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("hostedZoneId", zoneId);
    d.put("recordName", name);
    d.put("recordType", type);
    if (beforeShares != null) {
      d.put("sharesBefore", beforeShares);
    }
    d.put("sharesAfter", afterShares);
    d.put("points", points);
    if (fromMember != null) {
      d.put("from", fromMember);
    }
    if (toMember != null) {
      d.put("to", toMember);
    }
    if (!deletedWithTraffic.isEmpty()) {
      d.put("deletedWithTraffic", List.copyOf(deletedWithTraffic.keySet()));
    }
    d.put("allZero", allZero);
    d.put("groupKnown", groupKnown);
    d.put("basis", basis);
    if (note != null) {
      d.put("note", note);
    }
    return d;
  }

  /** A share or points as text: whole numbers without decimals, else one decimal. */
  public static String percentText(double v) {
    double r = Math.round(v * 10) / 10.0;
    return r == Math.rint(r) ? Long.toString((long) r) : String.format(Locale.ROOT, "%.1f", r);
  }
}
