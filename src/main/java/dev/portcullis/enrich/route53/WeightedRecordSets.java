package dev.portcullis.enrich.route53;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What Portcullis has seen of Route53 weighted record sets: per (zone, name, type), each member's
 * weight as of the event that last wrote it (a deleted member stays as a tombstone, so a late event
 * cannot bring it back), whether a lookup listed the whole group, and the group's weights before
 * and after the last change (so a shift can be reverted to what it replaced).
 *
 * <p>Keyed by {@link RecordSetKey}; a member is only overwritten by an event at least as new (event
 * time) as the one that wrote it. Bounded: beyond {@code maxEntries} groups the least recently used
 * is forgotten (and counted). Thread-safe. Written to and read back from a durable store by {@link
 * WeightedRecordSetsCodec}.
 */
public final class WeightedRecordSets {

  /** {@link Member#eventId()} of members the inventory listed. */
  public static final String INVENTORY = "inventory";

  /** Groups remembered by default. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  /**
   * One member as last seen.
   *
   * @param setIdentifier the member
   * @param weight its weight, or null when it was deleted
   * @param target where it sends traffic (values or alias target), for messages; may be empty
   * @param asOf event time of the change (or lookup) that wrote it
   * @param eventId the event that wrote it ({@code lookup} for a lookup)
   */
  public record Member(
      String setIdentifier, Long weight, String target, Instant asOf, String eventId) {
    public boolean deleted() {
      return weight == null;
    }
  }

  /**
   * A group's weights at one moment.
   *
   * @param weights the members that existed, by set identifier
   * @param unknown members whose weight was not known at that moment
   * @param asOf event time of the change this snapshot is before (or after)
   * @param eventId that change's event
   */
  public record Snapshot(
      Map<String, Long> weights, Set<String> unknown, Instant asOf, String eventId) {}

  /**
   * What is known of one group.
   *
   * @param members every member seen, deleted ones included
   * @param complete true when a lookup listed the whole group (members never seen do not exist)
   * @param newestChange event time of the newest change recorded for the group
   */
  public record View(Map<String, Member> members, boolean complete, Instant newestChange) {}

  /**
   * Everything known of one group, as {@link WeightedRecordSetsCodec} writes it to a durable store
   * and reads it back.
   *
   * @param key the group
   * @param members every member seen, deleted ones included, by set identifier
   * @param complete true when a lookup listed the whole group
   * @param before the group's weights before the last change recorded, or null
   * @param after the group's weights after the last change recorded, or null
   */
  record EntrySnapshot(
      RecordSetKey key,
      Map<String, Member> members,
      boolean complete,
      Snapshot before,
      Snapshot after) {
    EntrySnapshot {
      members = Collections.unmodifiableMap(new TreeMap<>(members));
    }
  }

  private static final class Entry {
    final Map<String, Member> members = new TreeMap<>();
    boolean complete;
    Snapshot before;
    Snapshot after;
  }

  private final int maxEntries;
  private final AtomicLong forgotten = new AtomicLong();
  private final Map<RecordSetKey, Entry> entries;

  public WeightedRecordSets() {
    this(DEFAULT_MAX_ENTRIES);
  }

  public WeightedRecordSets(int maxEntries) {
    this.maxEntries = maxEntries;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<RecordSetKey, Entry> eldest) {
            if (size() > WeightedRecordSets.this.maxEntries) {
              forgotten.incrementAndGet();
              return true;
            }
            return false;
          }
        };
  }

  /** What is known of a group; empty when Portcullis has seen nothing of it. */
  public synchronized Optional<View> view(RecordSetKey key) {
    Entry e = entries.get(key);
    if (e == null || e.members.isEmpty() && !e.complete) {
      return Optional.empty();
    }
    Instant newest = Instant.MIN;
    for (Member m : e.members.values()) {
      // The inventory reads by wall clock: a change made just before it is still to come.
      if (!INVENTORY.equals(m.eventId()) && m.asOf().isAfter(newest)) {
        newest = m.asOf();
      }
    }
    return Optional.of(
        new View(Collections.unmodifiableMap(new TreeMap<>(e.members)), e.complete, newest));
  }

  /**
   * Records a change that took effect.
   *
   * @param listed the group as a lookup listed it (weight by member), or null when none answered;
   *     it fills in members not yet known and marks the group complete
   * @param changes the batch's result per member: the new weight, or null for a deleted member
   * @param targets where each changed member sends traffic, for messages
   * @param before the group's weights before the change, kept for reverting
   * @param time the change's event time; a member written by a newer event is left alone
   */
  public synchronized void record(
      RecordSetKey key,
      Map<String, Long> listed,
      Map<String, Long> changes,
      Map<String, String> targets,
      Snapshot before,
      Instant time,
      String eventId) {
    Entry e = entries.computeIfAbsent(key, k -> new Entry());
    if (listed != null) {
      for (Map.Entry<String, Long> l : listed.entrySet()) {
        Member old = e.members.get(l.getKey());
        if (old == null || old.asOf().isBefore(time)) {
          e.members.put(l.getKey(), new Member(l.getKey(), l.getValue(), "", time, "lookup"));
        }
      }
      // A lookup lists the whole group: members it does not list no longer exist.
      for (Member m : e.members.values().toArray(Member[]::new)) {
        if (!listed.containsKey(m.setIdentifier()) && !m.deleted() && m.asOf().isBefore(time)) {
          e.members.put(m.setIdentifier(), new Member(m.setIdentifier(), null, "", time, "lookup"));
        }
      }
      e.complete = true;
    }
    boolean newest = e.after == null || !time.isBefore(e.after.asOf());
    for (Map.Entry<String, Long> c : changes.entrySet()) {
      Member old = e.members.get(c.getKey());
      if (old == null || !time.isBefore(old.asOf())) {
        e.members.put(
            c.getKey(),
            new Member(
                c.getKey(), c.getValue(), targets.getOrDefault(c.getKey(), ""), time, eventId));
      }
    }
    if (newest) {
      Map<String, Long> now = new TreeMap<>();
      e.members.values().stream()
          .filter(m -> !m.deleted())
          .forEach(m -> now.put(m.setIdentifier(), m.weight()));
      e.before = before;
      e.after = new Snapshot(Collections.unmodifiableMap(now), Set.of(), time, eventId);
    }
  }

  /**
   * Records the group as the inventory listed it at {@code at} (wall clock): every member with its
   * weight, members it did not list as gone, and the group complete. A member written by a change
   * at or after {@code at} is left alone.
   */
  public synchronized void inventoried(
      RecordSetKey key, Map<String, Long> members, Map<String, String> targets, Instant at) {
    Entry e = entries.computeIfAbsent(key, k -> new Entry());
    members.forEach(
        (m, w) -> {
          Member old = e.members.get(m);
          if (old == null || old.asOf().isBefore(at)) {
            e.members.put(m, new Member(m, w, targets.getOrDefault(m, ""), at, INVENTORY));
          }
        });
    for (Member m : e.members.values().toArray(Member[]::new)) {
      if (!members.containsKey(m.setIdentifier()) && !m.deleted() && m.asOf().isBefore(at)) {
        e.members.put(m.setIdentifier(), new Member(m.setIdentifier(), null, "", at, INVENTORY));
      }
    }
    e.complete = true;
  }

  /**
   * The group's weights before the last change Portcullis recorded (what a revert goes back to);
   * empty when it has recorded none.
   */
  public synchronized Optional<Snapshot> previous(RecordSetKey key) {
    Entry e = entries.get(key);
    return e == null ? Optional.empty() : Optional.ofNullable(e.before);
  }

  /** The group's weights after the last change Portcullis recorded; empty when none. */
  public synchronized Optional<Snapshot> current(RecordSetKey key) {
    Entry e = entries.get(key);
    return e == null ? Optional.empty() : Optional.ofNullable(e.after);
  }

  /** Everything known of every group, least recently used first. */
  synchronized List<EntrySnapshot> entries() {
    List<EntrySnapshot> out = new ArrayList<>(entries.size());
    entries.forEach(
        (key, e) -> out.add(new EntrySnapshot(key, e.members, e.complete, e.before, e.after)));
    return out;
  }

  /**
   * Puts back a group as a snapshot has it, replacing whatever is known of it, as the most recently
   * used; beyond the bound the least recently used group is forgotten, as for a new group.
   */
  synchronized void restore(EntrySnapshot s) {
    Entry e = new Entry();
    e.members.putAll(s.members());
    e.complete = s.complete();
    e.before = s.before();
    e.after = s.after();
    entries.remove(s.key());
    entries.put(s.key(), e);
  }

  /** Groups remembered now. */
  public synchronized int size() {
    return entries.size();
  }

  /** Groups forgotten because the bound was reached. */
  public long forgotten() {
    return forgotten.get();
  }
}
