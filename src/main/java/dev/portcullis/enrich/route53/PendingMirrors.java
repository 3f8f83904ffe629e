package dev.portcullis.enrich.route53;

import dev.portcullis.event.ChangeEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Record changes in a paired zone still waiting for their mirror.
 *
 * <p>Keyed by the record's name relative to its zone's apex ({@code api} for {@code
 * api.blue.k8s.example.com} in {@code blue.k8s.example.com}): a change and its mirror share that
 * key, so the entries of one key are all that matching ever reads. When the wait is over is for the
 * caller to say ({@link #takeDue}): it passes the newest CloudTrail event time the stream has seen
 * (kept apart, in an {@link dev.portcullis.enrich.EventTimeWatermark}), and the watermark is that
 * time minus the allowed lateness; a change is overdue once the watermark has passed its time plus
 * the window, or, on a quiet stream, once that long (window plus lateness) has passed on the wall
 * clock since it was seen. Decided changes are remembered for an hour of event time so that a
 * mirror arriving after the decision is taken as that late mirror, not as a new unmirrored change.
 *
 * <p>Bounded: beyond {@code maxEntries} waiting changes the oldest is dropped (and counted).
 * Thread-safe. Written to and read back from a durable store by {@link PendingMirrorsCodec}.
 */
public final class PendingMirrors {

  /** Waiting changes kept by default. */
  public static final int DEFAULT_MAX_ENTRIES = 50_000;

  /** How long a decided change is remembered to recognise its late mirror. */
  static final Duration LATE_MIRROR_MEMORY = Duration.ofHours(1);

  /** Decided changes remembered per relative name at most (the oldest go first). */
  static final int DECIDED_PER_NAME = 100;

  /**
   * One change waiting for its mirror.
   *
   * @param pair the pair it belongs to
   * @param changed the side whose zone changed
   * @param other the side that must mirror it
   * @param relative name relative to the changed zone's apex ({@code @} for the apex)
   * @param name the full normalised name changed
   * @param type record type
   * @param action CREATE, UPSERT or DELETE
   * @param time event time of the change
   * @param seenAt wall-clock time it was seen
   * @param event the change event (judged again when the mirror is overdue)
   */
  public record Pending(
      ZonePairs.Pair pair,
      ZonePairs.Side changed,
      ZonePairs.Side other,
      String relative,
      String name,
      String type,
      String action,
      Instant time,
      Instant seenAt,
      ChangeEvent event) {

    boolean mirrors(Pending p) {
      return pair.id().equals(p.pair.id())
          && !changed.equals(p.changed)
          && relative.equals(p.relative)
          && type.equals(p.type)
          && sameAction(action, p.action);
    }
  }

  /**
   * A change whose mirror did not come in time.
   *
   * @param pending the change
   * @param decidedBy {@code event time} (the watermark passed) or {@code wall clock} (a quiet
   *     stream)
   */
  public record Overdue(Pending pending, String decidedBy) {}

  /** What {@link #offer} did with a change. */
  public enum Offer {
    /** It mirrors a waiting change, which is cleared. */
    MIRRORED,
    /** It mirrors a change already decided overdue: the late mirror, nothing to wait for. */
    LATE_MIRROR,
    /** It now waits for its own mirror. */
    WAITING
  }

  private final Clock clock;
  private final int maxEntries;
  private final Map<String, List<Pending>> waiting = new LinkedHashMap<>();
  private final Map<String, List<Pending>> decided = new LinkedHashMap<>();
  private int size;
  private final AtomicLong dropped = new AtomicLong();

  public PendingMirrors() {
    this(Clock.systemUTC(), DEFAULT_MAX_ENTRIES);
  }

  public PendingMirrors(Clock clock, int maxEntries) {
    this.clock = clock;
    this.maxEntries = maxEntries;
  }

  /**
   * CREATE and UPSERT both leave the record in place (tools such as external-dns create with
   * UPSERT), so either mirrors the other; DELETE mirrors DELETE.
   */
  static boolean sameAction(String a, String b) {
    boolean deleteA = RecordSetChange.DELETE.equals(a);
    boolean deleteB = RecordSetChange.DELETE.equals(b);
    return deleteA == deleteB;
  }

  /**
   * Matches a change against the waiting ones of its pair: a mirror within the window clears the
   * waiting change; otherwise the change waits for its own mirror.
   */
  public synchronized Offer offer(
      ZonePairs.Pair pair,
      ZonePairs.Side changed,
      ZonePairs.Side other,
      String relative,
      String name,
      String type,
      String action,
      ChangeEvent event,
      Duration window) {
    Pending p =
        new Pending(
            pair,
            changed,
            other,
            relative,
            name,
            type,
            action,
            event.getEventTime(),
            clock.instant(),
            event);
    List<Pending> list = waiting.get(relative);
    if (list != null) {
      for (Iterator<Pending> it = list.iterator(); it.hasNext(); ) {
        Pending q = it.next();
        if (q.mirrors(p) && Duration.between(q.time(), p.time()).abs().compareTo(window) <= 0) {
          it.remove();
          size--;
          if (list.isEmpty()) {
            waiting.remove(relative);
          }
          return Offer.MIRRORED;
        }
      }
    }
    List<Pending> gone = decided.get(relative);
    if (gone != null) {
      for (Iterator<Pending> it = gone.iterator(); it.hasNext(); ) {
        if (it.next().mirrors(p)) {
          it.remove();
          if (gone.isEmpty()) {
            decided.remove(relative);
          }
          return Offer.LATE_MIRROR;
        }
      }
    }
    waiting.computeIfAbsent(relative, k -> new ArrayList<>()).add(p);
    size++;
    if (size > maxEntries) {
      dropOldest();
    }
    return Offer.WAITING;
  }

  /**
   * Takes the changes whose mirror is overdue: the watermark ({@code newestEventTime} minus {@code
   * lateness}) has passed their time plus the window, or, when {@code wallClock} is given, that
   * much time (window plus lateness) has passed on the wall clock since they were seen.
   *
   * @param newestEventTime the newest CloudTrail event time the stream has seen ({@link
   *     dev.portcullis.enrich.EventTimeWatermark#newest()}); null before the first, when only the
   *     wall clock decides
   * @param wallClock the wall-clock time now, or null to decide by event time only
   */
  public synchronized List<Overdue> takeDue(
      Duration window, Duration lateness, Instant newestEventTime, Instant wallClock) {
    Instant mark = newestEventTime == null ? null : newestEventTime.minus(lateness);
    List<Overdue> due = new ArrayList<>();
    for (List<Pending> list : waiting.values()) {
      for (Pending p : list) {
        if (mark != null && mark.isAfter(p.time().plus(window))) {
          due.add(new Overdue(p, "event time"));
        } else if (wallClock != null && wallClock.isAfter(p.seenAt().plus(window).plus(lateness))) {
          due.add(new Overdue(p, "wall clock"));
        }
      }
    }
    // Oldest first: a waiting change that mirrors an older overdue one (outside the window) is
    // that change's late mirror, not a split of its own.
    due.sort(Comparator.comparing((Overdue o) -> o.pending().time()));
    List<Overdue> out = new ArrayList<>();
    for (Overdue o : due) {
      Pending p = o.pending();
      List<Pending> list = waiting.get(p.relative());
      if (list == null || !list.remove(p)) {
        continue; // taken as the late mirror of an older change
      }
      size--;
      out.add(o);
      boolean mirrored = false;
      for (Iterator<Pending> it = list.iterator(); it.hasNext(); ) {
        if (it.next().mirrors(p)) {
          it.remove();
          size--;
          mirrored = true;
          break;
        }
      }
      if (list.isEmpty()) {
        waiting.remove(p.relative());
      }
      if (!mirrored) {
        decided.computeIfAbsent(p.relative(), k -> new ArrayList<>()).add(p);
      }
    }
    forgetDecided(mark, wallClock);
    return out;
  }

  private void forgetDecided(Instant mark, Instant wallClock) {
    for (Iterator<List<Pending>> lists = decided.values().iterator(); lists.hasNext(); ) {
      List<Pending> list = lists.next();
      list.removeIf(
          p ->
              mark != null && mark.isAfter(p.time().plus(LATE_MIRROR_MEMORY))
                  || wallClock != null && wallClock.isAfter(p.seenAt().plus(LATE_MIRROR_MEMORY)));
      while (list.size() > DECIDED_PER_NAME) {
        list.remove(0);
      }
      if (list.isEmpty()) {
        lists.remove();
      }
    }
  }

  private void dropOldest() {
    Pending oldest = null;
    for (List<Pending> list : waiting.values()) {
      for (Pending p : list) {
        if (oldest == null || p.time().isBefore(oldest.time())) {
          oldest = p;
        }
      }
    }
    if (oldest != null) {
      List<Pending> list = waiting.get(oldest.relative());
      list.remove(oldest);
      if (list.isEmpty()) {
        waiting.remove(oldest.relative());
      }
      size--;
      dropped.incrementAndGet();
    }
  }

  /** The changes waiting for their mirror, by relative name, each name's in the order they came. */
  synchronized Map<String, List<Pending>> waiting() {
    return copy(waiting);
  }

  /** The changes decided overdue still remembered, by relative name, oldest first. */
  synchronized Map<String, List<Pending>> decided() {
    return copy(decided);
  }

  private static Map<String, List<Pending>> copy(Map<String, List<Pending>> m) {
    Map<String, List<Pending>> out = new LinkedHashMap<>();
    m.forEach((relative, list) -> out.put(relative, List.copyOf(list)));
    return out;
  }

  /**
   * Puts back waiting and decided changes (as {@link PendingMirrorsCodec} read them), replacing
   * what is held: each under its own {@link Pending#relative() relative name}, in the order given.
   * The count of waiting changes is recomputed and the bounds apply as for new changes (the oldest
   * waiting changes beyond {@code maxEntries} are dropped and counted).
   */
  synchronized void restore(List<Pending> waitingChanges, List<Pending> decidedChanges) {
    waiting.clear();
    decided.clear();
    size = 0;
    for (Pending p : waitingChanges) {
      waiting.computeIfAbsent(p.relative(), k -> new ArrayList<>()).add(p);
      size++;
    }
    while (size > maxEntries) {
      dropOldest();
    }
    for (Pending p : decidedChanges) {
      List<Pending> list = decided.computeIfAbsent(p.relative(), k -> new ArrayList<>());
      list.add(p);
      if (list.size() > DECIDED_PER_NAME) {
        list.remove(0);
      }
    }
  }

  /** True when no change waits and no decided change is remembered. */
  synchronized boolean isEmpty() {
    return waiting.isEmpty() && decided.isEmpty();
  }

  /** Changes waiting for their mirror now. */
  public synchronized int size() {
    return size;
  }

  /** Waiting changes dropped because the bound was reached (never decided). */
  public long dropped() {
    return dropped.get();
  }
}
