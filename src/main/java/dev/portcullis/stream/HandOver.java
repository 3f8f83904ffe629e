package dev.portcullis.stream;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Change events this process has just decoded and written to the changes topic, kept decoded for
 * the judge when it reads the same record back in this process, so it need not parse the JSON it
 * was handed a moment ago.
 *
 * <p>The topic stays the truth: the judge still reads every record from it, in its order, in its
 * transactions. The record carries a token (header {@value #HEADER}: this process's random id and a
 * sequence number); a record whose token this process gave out, and has not handed over yet, is the
 * record it wrote, so the decoded event equals what parsing the record would give (the codec's
 * round trip is tested over the corpus). Anything else (a record from another instance, one whose
 * entry expired or was refused, a record read a second time after a rebalance) is parsed as before.
 *
 * <p>Bounded: at most {@code capacity} entries, each kept at most {@code ttlMillis}. When full, new
 * entries are refused rather than old ones evicted, as the oldest are the next the judge reads.
 * Entries nobody takes (the partition is read by another instance, the decode's transaction was
 * aborted) expire.
 */
final class HandOver {

  /** The header of a change record that names its entry. */
  static final String HEADER = "portcullis-handover";

  static final int CAPACITY = 1024;
  static final long TTL_MILLIS = 10_000;

  private record Entry(ChangeRecord record, long at) {}

  private final long instance = new SecureRandom().nextLong();
  private final int capacity;
  private final long ttlMillis;
  private final Map<Long, Entry> waiting = new LinkedHashMap<>();
  private long next;

  HandOver() {
    this(CAPACITY, TTL_MILLIS);
  }

  HandOver(int capacity, long ttlMillis) {
    this.capacity = capacity;
    this.ttlMillis = ttlMillis;
  }

  /**
   * Keeps a change record about to be written; returns the token to write with it, or null when
   * none is kept (full).
   */
  synchronized byte[] offer(ChangeRecord r, long nowMillis) {
    expire(nowMillis);
    if (waiting.size() >= capacity) {
      return null;
    }
    long seq = next++;
    waiting.put(seq, new Entry(r, nowMillis));
    return ByteBuffer.allocate(16).putLong(instance).putLong(seq).array();
  }

  /** The change record this process kept for the record with these headers, once; else null. */
  ChangeRecord take(Headers headers) {
    Header h = headers == null ? null : headers.lastHeader(HEADER);
    if (h == null || h.value() == null || h.value().length != 16) {
      return null;
    }
    ByteBuffer token = ByteBuffer.wrap(h.value());
    if (token.getLong() != instance) {
      return null;
    }
    long seq = token.getLong();
    synchronized (this) {
      Entry e = waiting.remove(seq);
      return e == null ? null : e.record();
    }
  }

  synchronized int size() {
    return waiting.size();
  }

  private void expire(long nowMillis) {
    Iterator<Entry> it = waiting.values().iterator();
    while (it.hasNext() && nowMillis - it.next().at() > ttlMillis) {
      it.remove();
    }
  }
}
