package dev.portcullis.enrich.route53;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.FactProvider;
import dev.portcullis.event.ChangeEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a Route53 {@code ChangeResourceRecordSets} event into one {@link WeightShift} per weighted
 * group (zone, name, type) it touches: each member's traffic share before and after the batch.
 *
 * <p>Where "before" comes from, per member: a DELETE in the batch (Route53 only deletes a set whose
 * values match exactly, so it names the old weight); what Portcullis has seen of the group ({@link
 * WeightedRecordSets} in the state); a {@code route53.recordSets} lookup (ListResourceRecordSets,
 * keyed {@code zone/name./TYPE}, answered as a list of record sets) for groups Portcullis has not
 * seen; a CREATE means the member did not exist. A lookup made after the change took effect already
 * lists the new weights, so for a member the batch wrote it only tells the old weight when it still
 * differs from the new one; otherwise that member's old weight stays unknown and no shift is
 * computed (a shift is never guessed). Without state and lookup the batch is judged on its own: its
 * members are the group.
 *
 * <p>A lookup answer {@code {"lookupFailed": "<reason>"}} means the lookup failed: the batch is
 * judged on its own and the fact says why. Rejected batches (errorCode) changed nothing: no facts,
 * no state. State is updated only when the context records state, and a member is never overwritten
 * by an event older than the one that wrote it.
 */
public final class WeightShiftFacts implements FactProvider {

  /** The policy these facts are for. */
  public static final String POLICY = "dns-weight-shift";

  /** The lookup that lists a group: ListResourceRecordSets from the group's name and type. */
  public static final String LOOKUP = "route53.recordSets";

  /** {@link WeightShift#note()} of a batch older than a change already recorded. */
  static final String LATE_NOTE = "Portcullis had already seen a newer change of this record set";

  /** A member's weight at one side of the change: known (a weight, or absent) or unknown. */
  private record W(boolean known, Long weight) {
    static final W UNKNOWN = new W(false, null);
    static final W ABSENT = new W(true, null);

    static W of(long weight) {
      return new W(true, weight);
    }

    boolean present() {
      return known && weight != null;
    }
  }

  /** What the batch did to one member: its weight before (as far as the batch says) and after. */
  private static final class Touch {
    W before;
    Long after;
    String target = "";
  }

  @Override
  public List<Object> facts(ChangeEvent event, FactContext ctx) {
    Optional<ChangeBatch> batch = ChangeBatch.of(event);
    if (batch.isEmpty() || !event.getOutcome().isEffective()) {
      return List.of();
    }
    Map<RecordSetKey, List<RecordSetChange>> groups = new LinkedHashMap<>();
    for (RecordSetChange c : batch.get().changes()) {
      if (c.recordSet().isWeighted()) {
        RecordSet r = c.recordSet();
        groups
            .computeIfAbsent(
                new RecordSetKey(batch.get().zoneId(), r.name(), r.type()), k -> new ArrayList<>())
            .add(c);
      }
    }
    if (groups.isEmpty()) {
      return List.of();
    }
    WeightedRecordSets state = ctx.state().of(WeightedRecordSets.class, WeightedRecordSets::new);
    List<Object> out = new ArrayList<>(groups.size());
    groups.forEach((key, changes) -> out.add(judge(event, key, changes, state, ctx)));
    return out;
  }

  private WeightShift judge(
      ChangeEvent event,
      RecordSetKey key,
      List<RecordSetChange> changes,
      WeightedRecordSets state,
      FactContext ctx) {
    Instant time = event.getEventTime();
    Map<String, Touch> touched = new LinkedHashMap<>();
    for (RecordSetChange c : changes) {
      String m = c.recordSet().member();
      Touch t = touched.get(m);
      if (t == null) {
        t = new Touch();
        t.before =
            switch (c.action()) {
              case RecordSetChange.DELETE -> W.of(c.recordSet().weight());
              case RecordSetChange.CREATE -> W.ABSENT;
              default -> W.UNKNOWN;
            };
        touched.put(m, t);
      }
      t.after = c.isDelete() ? null : c.recordSet().weight();
      t.target = c.recordSet().target();
    }

    Optional<WeightedRecordSets.View> view = state.view(key);
    boolean late = view.isPresent() && view.get().newestChange().isAfter(time);
    WeightedRecordSets.View seen = late ? null : view.orElse(null);
    // Until a lookup has listed the whole group, members Portcullis never saw may carry traffic.
    boolean needLookup = !late && (seen == null || !seen.complete());

    Map<String, Long> listed = null;
    String failure = null;
    if (needLookup) {
      Optional<JsonNode> answer = ctx.lookups().find(LOOKUP, key.lookupKey());
      if (answer.isPresent()) {
        JsonNode a = answer.get();
        if (a.isObject() && a.has("lookupFailed")) {
          failure = a.path("lookupFailed").asText("failed");
        } else {
          listed = listed(a, key);
        }
      }
    }

    Set<String> all = new TreeSet<>(touched.keySet());
    if (seen != null) {
      all.addAll(seen.members().keySet());
    }
    if (listed != null) {
      all.addAll(listed.keySet());
    }
    Map<String, W> before = new TreeMap<>();
    Map<String, W> after = new TreeMap<>();
    for (String m : all) {
      Touch t = touched.get(m);
      W b;
      if (t != null && t.before.known()) {
        b = t.before;
      } else if (seen != null && seen.members().containsKey(m)) {
        WeightedRecordSets.Member s = seen.members().get(m);
        if (t != null
            && WeightedRecordSets.INVENTORY.equals(s.eventId())
            && s.asOf().isAfter(time)) {
          // Listed by the inventory after this change: like a lookup after it, it may show the new
          // weight, so only a different one is the old.
          b =
              s.deleted()
                  ? (t.after == null ? W.UNKNOWN : W.ABSENT)
                  : !Objects.equals(s.weight(), t.after) ? W.of(s.weight()) : W.UNKNOWN;
        } else {
          b = s.deleted() ? W.ABSENT : W.of(s.weight());
        }
      } else if (listed != null && listed.containsKey(m)) {
        // A lookup made after the change lists the new weight: only a different one is the old.
        b = t == null || !Objects.equals(listed.get(m), t.after) ? W.of(listed.get(m)) : W.UNKNOWN;
      } else if (listed != null || seen != null && seen.complete()) {
        b = W.ABSENT; // the whole group is known and this member was not in it
      } else {
        b = t == null ? W.ABSENT : W.UNKNOWN;
      }
      before.put(m, b);
      after.put(m, t == null ? b : t.after == null ? W.ABSENT : W.of(t.after));
    }

    boolean beforeKnown = before.values().stream().allMatch(W::known);
    Map<String, Long> beforeWeights = weights(before);
    Map<String, Long> afterWeights = weights(after);
    Map<String, Double> beforeShares = beforeKnown ? shares(beforeWeights) : null;
    Map<String, Double> afterShares = shares(afterWeights);

    double points = 0;
    String from = null;
    String to = null;
    if (beforeKnown && !beforeWeights.isEmpty() && !afterWeights.isEmpty()) {
      double most = 0;
      double least = 0;
      for (String m : all) {
        double d = afterShares.getOrDefault(m, 0.0) - beforeShares.getOrDefault(m, 0.0);
        if (d > most) {
          most = d;
          to = m;
        }
        if (d < least) {
          least = d;
          from = m;
        }
      }
      points = round(Math.max(most, -least));
    }

    boolean beforeAllZero =
        !beforeWeights.isEmpty() && beforeWeights.values().stream().allMatch(w -> w == 0);
    Map<String, Long> deleted = new LinkedHashMap<>();
    for (Map.Entry<String, Touch> e : touched.entrySet()) {
      W b = before.get(e.getKey());
      if (e.getValue().after == null && b.present()) {
        boolean carried = b.weight() > 0 || beforeKnown && beforeAllZero;
        if (carried) {
          deleted.put(e.getKey(), b.weight());
        }
      }
    }
    boolean groupKnown = listed != null || seen != null && seen.complete();
    boolean afterAllZero =
        !afterWeights.isEmpty() && afterWeights.values().stream().allMatch(w -> w == 0);
    boolean allZero =
        afterAllZero && (beforeKnown ? !beforeWeights.isEmpty() && !beforeAllZero : true);

    String basis;
    if (seen != null && listed != null) {
      basis = "state and lookup";
    } else if (seen != null) {
      basis = "state";
    } else if (listed != null) {
      basis = "lookup";
    } else {
      basis = "change batch";
    }
    String note = null;
    if (late) {
      note = LATE_NOTE;
    } else if (failure != null) {
      note = "the Route53 lookup failed (" + failure + ")";
    }

    Set<String> unknown = new TreeSet<>();
    before.forEach(
        (m, w) -> {
          if (!w.known()) {
            unknown.add(m);
          }
        });
    if (ctx.recordsState()) {
      Map<String, Long> result = new LinkedHashMap<>();
      Map<String, String> targets = new LinkedHashMap<>();
      touched.forEach(
          (m, t) -> {
            result.put(m, t.after);
            targets.put(m, t.target);
          });
      state.record(
          key,
          listed,
          result,
          targets,
          new WeightedRecordSets.Snapshot(
              Collections.unmodifiableMap(beforeWeights),
              Collections.unmodifiableSet(unknown),
              time,
              event.getId()),
          time,
          event.getId());
    }

    return new WeightShift(
        event.getId(),
        key.zoneId(),
        key.name(),
        key.type(),
        List.copyOf(all),
        beforeShares,
        afterShares,
        beforeWeights,
        Collections.unmodifiableSet(unknown),
        afterWeights,
        points,
        from,
        to,
        deleted,
        allZero,
        groupKnown,
        basis,
        note);
  }

  /**
   * The weighted members of the group in a lookup answer (a list, or {resourceRecordSets: [...]}).
   */
  static Map<String, Long> listed(JsonNode answer, RecordSetKey key) {
    JsonNode list = answer.isArray() ? answer : answer.path("resourceRecordSets");
    Map<String, Long> out = new TreeMap<>();
    if (list.isArray()) {
      for (JsonNode n : list) {
        RecordSet r = RecordSet.of(n);
        if (r != null
            && r.isWeighted()
            && r.name().equals(key.name())
            && r.type().equals(key.type())) {
          out.put(r.member(), r.weight());
        }
      }
    }
    return out;
  }

  private static Map<String, Long> weights(Map<String, W> side) {
    Map<String, Long> out = new TreeMap<>();
    side.forEach(
        (m, w) -> {
          if (w.present()) {
            out.put(m, w.weight());
          }
        });
    return out;
  }

  /** Percent of traffic per member; an even split when every weight is 0 (as Route53 does). */
  static Map<String, Double> shares(Map<String, Long> weights) {
    Map<String, Double> out = new TreeMap<>();
    long total = weights.values().stream().mapToLong(Long::longValue).sum();
    for (Map.Entry<String, Long> e : weights.entrySet()) {
      out.put(
          e.getKey(), round(total == 0 ? 100.0 / weights.size() : 100.0 * e.getValue() / total));
    }
    return Collections.unmodifiableMap(out);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
