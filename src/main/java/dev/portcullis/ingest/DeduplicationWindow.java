package dev.portcullis.ingest;

import dev.portcullis.event.EventTimes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Remembers the ids of events already decided (or being decided) so a second delivery of the same
 * event yields no second decision.
 *
 * <p>Bounded twice: an id is forgotten once the newest event time seen is more than {@code window}
 * past its own event time (event time, so a replay behaves like the original run), and the ids of
 * the oldest event time go first when there are more than {@code maxEntries}. An id whose decision
 * could not be written is released, so its redelivery is decided again. An event time far ahead of
 * this machine's clock moves the newest time only as far as {@link EventTimes#forWatermark} allows,
 * so one record with a wrong clock cannot make every id forgotten. Thread-safe.
 */
public final class DeduplicationWindow {

  /** What to do with an event. */
  public enum Claim {
    /** First sighting: decide it. */
    NEW,
    /** Seen before within the window: drop it. */
    DUPLICATE
  }

  private final Duration window;
  private final int maxEntries;

  /** Remembered ids with their place in {@link #byTime}. */
  private final Map<String, Slot> seen = new HashMap<>();

  /** The same ids ordered by event time (then arrival), so expiry never waits on a late event. */
  private final TreeMap<Slot, String> byTime = new TreeMap<>();

  private long sequence;
  private Instant watermark = Instant.EPOCH;
  private final Clock clock;

  /** An id's event time, and a sequence number that keeps ids of the same time apart. */
  private record Slot(Instant time, long seq) implements Comparable<Slot> {
    @Override
    public int compareTo(Slot o) {
      int c = time.compareTo(o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  public DeduplicationWindow(Duration window, int maxEntries) {
    this(window, maxEntries, Clock.systemUTC());
  }

  DeduplicationWindow(Duration window, int maxEntries, Clock clock) {
    this.window = window;
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  /** Claims an event id; only the first claim within the window is {@link Claim#NEW}. */
  public synchronized Claim claim(String id, Instant eventTime) {
    if (seen.containsKey(id)) {
      return Claim.DUPLICATE;
    }
    Instant mark = EventTimes.forWatermark(eventTime, clock.instant());
    if (mark.isAfter(watermark)) {
      watermark = mark;
    }
    Slot slot = new Slot(eventTime, sequence++);
    seen.put(id, slot);
    byTime.put(slot, id);
    evict();
    return Claim.NEW;
  }

  /** True when the id is remembered. */
  public synchronized boolean contains(String id) {
    return seen.containsKey(id);
  }

  /** Forgets an id whose decision was not written, so a redelivery is decided. */
  public synchronized void release(String id) {
    Slot slot = seen.remove(id);
    if (slot != null) {
      byTime.remove(slot);
    }
  }

  public synchronized int size() {
    return seen.size();
  }

  /** Drops the ids that left the window, then the oldest ones while there are too many. */
  private void evict() {
    Instant horizon = watermark.minus(window);
    while (!byTime.isEmpty()) {
      Map.Entry<Slot, String> oldest = byTime.firstEntry();
      if (byTime.size() <= maxEntries && !oldest.getKey().time().isBefore(horizon)) {
        return;
      }
      byTime.pollFirstEntry();
      seen.remove(oldest.getValue());
    }
  }
}
