package dev.portcullis.enrich.s3;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Answers kept for a while, at most {@code maxEntries} of them (expired ones go first). */
final class TtlCache<K, V> {

  private record Entry<V>(V value, long expiresAt) {}

  private final long ttlNanos;
  private final int maxEntries;
  private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();

  TtlCache(Duration ttl, int maxEntries) {
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = Math.max(0, maxEntries);
  }

  Optional<V> get(K key) {
    Entry<V> e = entries.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (System.nanoTime() - e.expiresAt() > 0) {
      entries.remove(key, e);
      return Optional.empty();
    }
    return Optional.of(e.value());
  }

  void put(K key, V value) {
    if (ttlNanos <= 0 || maxEntries == 0) {
      return;
    }
    if (entries.size() >= maxEntries) {
      long now = System.nanoTime();
      entries.values().removeIf(e -> now - e.expiresAt() > 0);
      // Still full of live answers: make room by dropping arbitrary ones rather than grow.
      Iterator<Map.Entry<K, Entry<V>>> it = entries.entrySet().iterator();
      for (int i = 0; entries.size() >= maxEntries && it.hasNext() && i < maxEntries; i++) {
        it.next();
        it.remove();
      }
    }
    entries.put(key, new Entry<>(value, System.nanoTime() + ttlNanos));
  }

  int size() {
    return entries.size();
  }
}
