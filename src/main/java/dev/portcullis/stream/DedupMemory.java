package dev.portcullis.stream;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The judge's memory of the event ids it has decided, one per partition of the changes topic, in
 * two stores written together: {@value TopologyProducer#DEDUP_STORE} (id to the time it is kept
 * from) and {@value TopologyProducer#DEDUP_BY_TIME_STORE} (the same entries in time order, keyed
 * {@code <time, 13 digits>|<id>}). Forgetting reads the time-ordered store from its oldest entry,
 * so it costs what is forgotten rather than what is kept, and runs every tick in small steps
 * instead of reading, sorting and deleting a whole store at once.
 *
 * <p>An id is kept for the dedup window after the later of its event time and the newest event time
 * the partition had seen when it was decided; at most {@code maxEntries} ids are kept, the oldest
 * forgotten first.
 */
final class DedupMemory {

  /** The entry of the id store holding the newest event time it has seen. */
  static final String NEWEST = "~newest";

  /**
   * The entry of the id store holding how many ids are kept, written at most once a tick: a
   * partition that opens reads it instead of counting a store that may hold hundreds of thousands
   * of ids.
   */
  static final String COUNT = "~count";

  private static final byte[] NOTHING = new byte[0];

  private final KeyValueStore<String, Long> ids;
  private final KeyValueStore<String, byte[]> byTime;
  private final long windowMillis;
  private final int maxEntries;
  private long count;
  private long countWritten;

  /**
   * Where the oldest kept entry can start (the time of the last one forgotten): reading from here
   * skips what RocksDB still holds as deleted until it compacts.
   */
  private String from;

  DedupMemory(
      KeyValueStore<String, Long> ids,
      KeyValueStore<String, byte[]> byTime,
      long windowMillis,
      int maxEntries) {
    this.ids = ids;
    this.byTime = byTime;
    this.windowMillis = windowMillis;
    this.maxEntries = maxEntries;
  }

  /**
   * Reads how many ids are kept, or counts them when that was not written yet. Ids remembered
   * before the time-ordered store existed (an older version of Portcullis wrote the id store alone)
   * are put in time order once, here. The count read may be short by the ids claimed after its last
   * write (at most a tick of them, after each crash): the bound is then kept that much late, never
   * early, and forgetting by time is not affected.
   */
  void open() {
    from = null;
    Long written = ids.get(COUNT);
    if (written != null) {
      count = written;
      countWritten = written;
      return;
    }
    count = 0;
    countWritten = -1;
    try (KeyValueIterator<String, byte[]> it = byTime.all()) {
      while (it.hasNext()) {
        it.next();
        count++;
      }
    }
    if (count > 0) {
      return;
    }
    List<KeyValue<String, Long>> older = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = ids.all()) {
      while (it.hasNext()) {
        KeyValue<String, Long> kv = it.next();
        if (!NEWEST.equals(kv.key) && !COUNT.equals(kv.key)) {
          older.add(kv);
        }
      }
    }
    for (KeyValue<String, Long> kv : older) {
      byTime.put(key(kv.value, kv.key), NOTHING);
      count++;
    }
    writeCount();
  }

  boolean known(String id) {
    return !reserved(id) && ids.get(id) != null;
  }

  /**
   * An id that is the name of one of the store's own entries: never remembered (each delivery is
   * decided), rather than taken for a duplicate and never decided.
   */
  private static boolean reserved(String id) {
    return NEWEST.equals(id) || COUNT.equals(id);
  }

  /**
   * Remembers an id; false when it is remembered already.
   *
   * @param eventMillis the event's time (as the watermark takes it)
   */
  boolean claim(String id, long eventMillis) {
    if (reserved(id)) {
      return true;
    }
    if (ids.get(id) != null) {
      return false;
    }
    Long newest = ids.get(NEWEST);
    long kept = newest == null ? eventMillis : Math.max(eventMillis, newest);
    ids.put(id, kept);
    byTime.put(key(kept, id), NOTHING);
    count++;
    if (newest == null || eventMillis > newest) {
      ids.put(NEWEST, eventMillis);
    }
    return true;
  }

  /**
   * Forgets the ids older than the window behind the newest event time, then the oldest beyond
   * {@code maxEntries}; at most {@code limit} of them in one call, so a backlog of them is spread
   * over several ticks.
   *
   * @return how many were forgotten
   */
  int forget(int limit) {
    Long newest = ids.get(NEWEST);
    if (newest == null) {
      return 0;
    }
    long horizon = newest - windowMillis;
    List<String> gone = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = byTime.range(from, null)) {
      while (it.hasNext()) {
        String k = it.next().key;
        if (gone.size() < limit && (timeOf(k) < horizon || count - gone.size() > maxEntries)) {
          gone.add(k);
        } else {
          break; // in time order: what follows is younger (or for the next tick)
        }
      }
    }
    for (String k : gone) {
      byTime.delete(k);
      ids.delete(k.substring(k.indexOf('|') + 1));
    }
    // A count read after a crash may be short (see open()): never below zero, and forgetting by
    // time does not depend on it.
    count = Math.max(0, count - gone.size());
    if (!gone.isEmpty()) {
      String last = gone.get(gone.size() - 1);
      from = last.substring(0, last.indexOf('|') + 1); // the same time may hold other ids
    }
    writeCount();
    return gone.size();
  }

  long size() {
    return count;
  }

  private void writeCount() {
    if (count != countWritten) {
      ids.put(COUNT, count);
      countWritten = count;
    }
  }

  /** The time-ordered key: times before 1970 count as 1970 (forgotten first). */
  static String key(long millis, String id) {
    // What String.format("%013d|%s") gives, without parsing a format for every event.
    String digits = Long.toString(Math.max(0, millis));
    StringBuilder key = new StringBuilder(14 + digits.length() + id.length());
    for (int pad = digits.length(); pad < 13; pad++) {
      key.append('0');
    }
    return key.append(digits).append('|').append(id).toString();
  }

  private static long timeOf(String key) {
    return Long.parseLong(key.substring(0, key.indexOf('|')));
  }
}
