package dev.portcullis.enforce.revert;

import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the reverts of one scope (a bucket, a hosted zone) remember, kept in the stream's state
 * stores with the rest of that scope's state: the reverts already recorded (their id and result, so
 * a second delivery of the same decision never reverts twice, on any instance) and the times each
 * IaC identity's change of a resource was reverted ({@link IacReapplyLimit}). Bounded: {@value
 * #MAX_ENTRIES} reverts and {@value #MAX_ENTRIES} IaC keys, the least recently used forgotten
 * first. Not thread-safe: used by the one stream task that owns its scope.
 */
public final class RevertMemory {

  static final int MAX_ENTRIES = 10_000;

  final Map<String, String> recorded = bounded(MAX_ENTRIES);
  final Map<String, Deque<Instant>> iacTimes = bounded(MAX_ENTRIES);

  static <V> Map<String, V> bounded(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  /** The result recorded for a revert id; null when none is. */
  String recorded(String revertId) {
    return recorded.get(revertId);
  }

  void record(String revertId, String result) {
    recorded.put(revertId, result);
  }

  /** The IaC re-apply limit over this scope's revert times. */
  IacReapplyLimit iac(int max, Duration window) {
    return new IacReapplyLimit(max, window, iacTimes);
  }

  boolean isEmpty() {
    return recorded.isEmpty() && iacTimes.isEmpty();
  }
}
