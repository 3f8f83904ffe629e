package dev.portcullis.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the ids of events already decided (or being decided) so a second delivery of the same
 * event yields no second decision.
 *
 * <p>Bounded twice: an id is forgotten once the newest event time seen is more than {@code window}
 * past its own event time (event time, so a replay behaves like the original run), and the oldest
 * ids go first when there are more than {@code maxEntries}. An id whose decision could not be
 * written is released, so its redelivery is decided again. Thread-safe.
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
  private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();
  private Instant watermark = Instant.EPOCH;

  public DeduplicationWindow(Duration window, int maxEntries) {
    this.window = window;
    this.maxEntries = maxEntries;
  }

  /** Claims an event id; only the first claim within the window is {@link Claim#NEW}. */
  public synchronized Claim claim(String id, Instant eventTime) {
    if (seen.containsKey(id)) {
      return Claim.DUPLICATE;
    }
    if (eventTime.isAfter(watermark)) {
      watermark = eventTime;
    }
    seen.put(id, eventTime);
    evict();
    return Claim.NEW;
  }

  /** True when the id is remembered. */
  public synchronized boolean contains(String id) {
    return seen.containsKey(id);
  }

  /** Forgets an id whose decision was not written, so a redelivery is decided. */
  public synchronized void release(String id) {
    seen.remove(id);
  }

  public synchronized int size() {
    return seen.size();
  }

  private void evict() {
    Instant horizon = watermark.minus(window);
    Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
    int excess = seen.size() - maxEntries;
    // Insertion order is close to event-time order; stop at the first entry still in the window.
    while (it.hasNext()) {
      Map.Entry<String, Instant> e = it.next();
      if (excess > 0 || e.getValue().isBefore(horizon)) {
        it.remove();
        excess--;
      } else {
        break;
      }
    }
  }
}
