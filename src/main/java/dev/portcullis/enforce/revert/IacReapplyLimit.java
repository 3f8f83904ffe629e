package dev.portcullis.enforce.revert;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * How often Portcullis has reverted a resource against one IaC identity, by event time, so it stops
 * fighting a tool that is still applying (cloud-custodian#3165): a change is reverted only while
 * fewer than {@code max} reverts of the same (policy, resource, identity) lie within {@code window}
 * of its event time. Kept with the resource's other state (a scope's {@link RevertMemory}); bounded
 * ({@code maxKeys} keys, the least recently used forgotten first; at most {@code max + 16} times
 * per key). Thread-safe.
 */
final class IacReapplyLimit {

  private final int max;
  private final Duration window;
  private final Map<String, Deque<Instant>> reverts;

  IacReapplyLimit(int max, Duration window, int maxKeys) {
    this(max, window, RevertMemory.bounded(maxKeys));
  }

  /** A limit over times kept elsewhere (a scope's {@link RevertMemory}). */
  IacReapplyLimit(int max, Duration window, Map<String, Deque<Instant>> reverts) {
    this.max = Math.max(0, max);
    this.window = window;
    this.reverts = reverts;
  }

  /** The key of one fight: policy, resource and identity. */
  static String key(String policy, String resource, String identity) {
    return policy + "\u0000" + resource + "\u0000" + identity;
  }

  /** Reverts recorded within the window of {@code at} (either side: events arrive late). */
  synchronized int count(String key, Instant at) {
    Deque<Instant> times = reverts.get(key);
    if (times == null) {
      return 0;
    }
    int n = 0;
    for (Instant t : times) {
      if (Duration.between(t, at).abs().compareTo(window) < 0) {
        n++;
      }
    }
    return n;
  }

  /** True when one more revert at {@code at} stays within the limit. */
  synchronized boolean allows(String key, Instant at) {
    return count(key, at) < max;
  }

  /** Records a revert of a change made at {@code at}. */
  synchronized void record(String key, Instant at) {
    Deque<Instant> times = reverts.computeIfAbsent(key, k -> new ArrayDeque<>());
    times.addLast(at);
    while (times.size() > max + 16) {
      times.removeFirst();
    }
  }

  int max() {
    return max;
  }

  Duration window() {
    return window;
  }
}
