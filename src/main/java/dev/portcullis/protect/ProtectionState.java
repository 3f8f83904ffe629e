package dev.portcullis.protect;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Portcullis has learnt about buckets that hold protected objects, kept across events (one per
 * service in the {@link dev.portcullis.enrich.StateStore}, a fresh one per policy test case):
 *
 * <ul>
 *   <li>protected keys seen in each bucket: written ({@code PutObject}, {@code CopyObject}),
 *       confirmed by an S3 listing, or watched by the guard; and deleted again;
 *   <li>kOps state stores: buckets where a cluster spec was seen, with each cluster's folder;
 *   <li>each bucket's lifecycle configurations as last seen, newest first, so the configuration a
 *       change replaced can be put back ({@link #lifecycleBefore}).
 * </ul>
 *
 * <p>Judged by event time: a late event never overwrites what a later one recorded. Bounded: at
 * most {@value #MAX_BUCKETS} buckets, {@value #MAX_KEYS_PER_BUCKET} keys per bucket and {@value
 * #LIFECYCLE_HISTORY} lifecycle configurations per bucket (the oldest go first). Thread-safe.
 * Written to and read back from a durable store by {@link ProtectionStateCodec}.
 */
public final class ProtectionState {

  static final int MAX_BUCKETS = 10_000;
  static final int MAX_KEYS_PER_BUCKET = 1_000;
  static final int LIFECYCLE_HISTORY = 5;

  /** How a protected key became known. */
  public enum Seen {
    WRITTEN("seen written"),
    LISTED("S3 listing"),
    GUARDED("guarded object"),
    INVENTORY("inventory");

    private final String words;

    Seen(String words) {
      this.words = words;
    }

    public String words() {
      return words;
    }
  }

  /** One protected key: when it was last written and last deleted (event time), and how known. */
  public record KeyState(String key, Instant written, Instant deleted, Seen how) {
    /** True when the last thing known about it is that it exists. */
    public boolean present() {
      return written != null && (deleted == null || written.isAfter(deleted));
    }
  }

  /**
   * A lifecycle configuration of a bucket as an event set it.
   *
   * @param configuration the {@code LifecycleConfiguration} element; null when the event removed it
   *     ({@code DeleteBucketLifecycle})
   * @param at the event's time
   * @param eventId the event that set it
   */
  public record LifecycleSnapshot(JsonNode configuration, Instant at, String eventId) {}

  private static final class Bucket {
    final Instant firstSeen;
    final LinkedHashMap<String, KeyState> keys = new LinkedHashMap<>();
    final TreeMap<String, Instant> clusterRoots = new TreeMap<>();

    /** Newest first by event time; of two with the same time, the later arrival first. */
    final List<LifecycleSnapshot> lifecycle = new ArrayList<>();

    /** When the inventory last listed the bucket completely; null when it never did. */
    Instant inventoried;

    /** Versioning as the inventory last read it ({@code Enabled}, {@code Suspended}, or null). */
    String versioning;

    Bucket(Instant firstSeen) {
      this.firstSeen = firstSeen;
    }
  }

  /**
   * Everything known of one bucket, as {@link ProtectionStateCodec} writes it to a durable store
   * and reads it back.
   *
   * @param name the bucket
   * @param firstSeen when it was first seen (event time); the bucket known longest is forgotten
   *     first
   * @param keys its protected keys, in the order first seen
   * @param clusterRoots its kOps cluster folders, each with the time first seen
   * @param lifecycle its lifecycle configurations, newest first
   * @param inventoried when the inventory last listed it completely, or null
   * @param versioning its versioning as the inventory last read it, or null
   */
  record BucketSnapshot(
      String name,
      Instant firstSeen,
      List<KeyState> keys,
      Map<String, Instant> clusterRoots,
      List<LifecycleSnapshot> lifecycle,
      Instant inventoried,
      String versioning) {
    BucketSnapshot {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(firstSeen, "firstSeen");
      keys = List.copyOf(keys);
      clusterRoots = Collections.unmodifiableMap(new TreeMap<>(clusterRoots));
      lifecycle = List.copyOf(lifecycle);
    }
  }

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private Bucket bucket(String name, Instant at) {
    Bucket b = buckets.get(name);
    if (b != null) {
      return b;
    }
    makeRoom();
    return buckets.computeIfAbsent(name, k -> new Bucket(at));
  }

  private void makeRoom() {
    if (buckets.size() >= MAX_BUCKETS) {
      // Forget the bucket known longest: a bound, not a policy.
      buckets.entrySet().stream()
          .min(Comparator.comparing(e -> e.getValue().firstSeen))
          .ifPresent(e -> buckets.remove(e.getKey()));
    }
  }

  /** True when no bucket is known. */
  boolean isEmpty() {
    return buckets.isEmpty();
  }

  /** The buckets known, sorted by name. */
  List<String> bucketNames() {
    List<String> names = new ArrayList<>(buckets.keySet());
    Collections.sort(names);
    return names;
  }

  /** Everything known of a bucket; empty when it is not known. */
  Optional<BucketSnapshot> snapshot(String bucketName) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return Optional.empty();
    }
    synchronized (b) {
      return Optional.of(
          new BucketSnapshot(
              bucketName,
              b.firstSeen,
              new ArrayList<>(b.keys.values()),
              b.clusterRoots,
              b.lifecycle,
              b.inventoried,
              b.versioning));
    }
  }

  /**
   * Puts back a bucket as a snapshot has it, replacing whatever is known of that bucket, within the
   * bounds: the keys seen last, the newest lifecycle configurations (ordered newest first, keeping
   * the snapshot's order among equal times), and room made as for a new bucket.
   */
  void restore(BucketSnapshot s) {
    Bucket b = new Bucket(s.firstSeen());
    List<KeyState> keys = s.keys();
    for (KeyState k : keys.subList(Math.max(0, keys.size() - MAX_KEYS_PER_BUCKET), keys.size())) {
      b.keys.put(k.key(), k);
    }
    b.clusterRoots.putAll(s.clusterRoots());
    List<LifecycleSnapshot> lifecycle = new ArrayList<>(s.lifecycle());
    lifecycle.sort(Comparator.comparing(LifecycleSnapshot::at).reversed()); // stable
    b.lifecycle.addAll(lifecycle.subList(0, Math.min(LIFECYCLE_HISTORY, lifecycle.size())));
    b.inventoried = s.inventoried();
    b.versioning = s.versioning();
    if (!buckets.containsKey(s.name())) {
      makeRoom();
    }
    buckets.put(s.name(), b);
  }

  /** Records that a protected key exists (written at {@code at}, or confirmed then). */
  public void keyPresent(String bucketName, String key, Instant at, Seen how) {
    Bucket b = bucket(bucketName, at);
    synchronized (b) {
      KeyState old = b.keys.get(key);
      if (old != null && old.written() != null && !at.isAfter(old.written())) {
        return; // a late or repeated event: what is recorded is as new or newer
      }
      if (old == null && b.keys.size() >= MAX_KEYS_PER_BUCKET) {
        String eldest = b.keys.keySet().iterator().next();
        b.keys.remove(eldest);
      }
      b.keys.put(key, new KeyState(key, at, old == null ? null : old.deleted(), how));
    }
  }

  /** Records that a protected key was deleted at {@code at}. */
  public void keyDeleted(String bucketName, String key, Instant at) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return;
    }
    synchronized (b) {
      KeyState old = b.keys.get(key);
      if (old == null || old.deleted() != null && !at.isAfter(old.deleted())) {
        return;
      }
      b.keys.put(key, new KeyState(key, old.written(), at, old.how()));
    }
  }

  /** Records a kOps cluster folder ({@code ""} for the bucket root) in a state store bucket. */
  public void clusterRoot(String bucketName, String root, Instant at) {
    Bucket b = bucket(bucketName, at);
    synchronized (b) {
      b.clusterRoots.merge(root, at, (x, y) -> x.isBefore(y) ? x : y);
    }
  }

  /** True when protected keys have been seen in the bucket (present now or not). */
  public boolean knowsProtectedKeys(String bucketName) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return false;
    }
    synchronized (b) {
      return !b.keys.isEmpty();
    }
  }

  /** The protected keys known in a bucket, in the order first seen. */
  public List<KeyState> keys(String bucketName) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return List.of();
    }
    synchronized (b) {
      return new ArrayList<>(b.keys.values());
    }
  }

  /** The kOps cluster folders seen in a bucket; empty when it is not known as a state store. */
  public List<String> clusterRoots(String bucketName) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return List.of();
    }
    synchronized (b) {
      return new ArrayList<>(b.clusterRoots.keySet());
    }
  }

  /** Records the lifecycle configuration an event set (null: the event removed it). */
  public void lifecycle(String bucketName, JsonNode configuration, Instant at, String eventId) {
    Bucket b = bucket(bucketName, at);
    synchronized (b) {
      for (LifecycleSnapshot s : b.lifecycle) {
        if (s.eventId().equals(eventId)) {
          return; // the same event again
        }
      }
      int i = 0;
      while (i < b.lifecycle.size() && b.lifecycle.get(i).at().isAfter(at)) {
        i++;
      }
      b.lifecycle.add(i, new LifecycleSnapshot(configuration, at, eventId));
      while (b.lifecycle.size() > LIFECYCLE_HISTORY) {
        b.lifecycle.remove(b.lifecycle.size() - 1);
      }
    }
  }

  /** The newest lifecycle configuration seen for a bucket. */
  public Optional<LifecycleSnapshot> lifecycle(String bucketName) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return Optional.empty();
    }
    synchronized (b) {
      return b.lifecycle.isEmpty() ? Optional.empty() : Optional.of(b.lifecycle.get(0));
    }
  }

  /**
   * The lifecycle configuration a bucket had before the change made by {@code eventId}: what a
   * revert puts back. Empty when that change is not known or nothing was seen before it.
   */
  public Optional<LifecycleSnapshot> lifecycleBefore(String bucketName, String eventId) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return Optional.empty();
    }
    synchronized (b) {
      boolean found = false;
      for (LifecycleSnapshot s : b.lifecycle) { // newest first
        if (found) {
          return Optional.of(s);
        }
        found = s.eventId().equals(eventId);
      }
      return Optional.empty();
    }
  }

  /** The id a lifecycle configuration read by the inventory is recorded under. */
  public static final String INVENTORY_EVENT = "inventory";

  /**
   * Records what the inventory read of a bucket at {@code at} (wall clock).
   *
   * @param keys the protected keys its listing found, each with its last-modified time
   * @param complete true when the listing read everything under the policy's patterns, so a
   *     protected key it did not find is not there
   * @param lifecycle the bucket's lifecycle configuration ({@code {"Rules":[...]}}), null when it
   *     has none; recorded only when it differs from the newest one known, so an unchanged bucket
   *     does not push its history out
   * @param lifecycleRead false when the lifecycle configuration could not be read (then it is not
   *     recorded)
   * @param versioning the versioning status, or null when unknown or never enabled
   */
  public void inventoried(
      String bucketName,
      Map<String, Instant> keys,
      boolean complete,
      JsonNode lifecycle,
      boolean lifecycleRead,
      String versioning,
      Instant at) {
    Bucket b = bucket(bucketName, at);
    synchronized (b) {
      if (complete && (b.inventoried == null || at.isAfter(b.inventoried))) {
        b.inventoried = at;
      }
      b.versioning = versioning;
    }
    keys.forEach((k, modified) -> keyPresent(bucketName, k, at, Seen.INVENTORY));
    if (complete) {
      // A complete listing that did not find a key known present: it is gone.
      for (KeyState k : keys(bucketName)) {
        if (k.present() && !keys.containsKey(k.key()) && k.written().isBefore(at)) {
          keyDeleted(bucketName, k.key(), at);
        }
      }
    }
    if (lifecycleRead) {
      synchronized (b) {
        if (!b.lifecycle.isEmpty() && b.lifecycle.get(0).at().isAfter(at)) {
          return; // a change newer than this reading is known already
        }
        if (!b.lifecycle.isEmpty()
            && Objects.equals(b.lifecycle.get(0).configuration(), lifecycle)) {
          return;
        }
        if (b.lifecycle.isEmpty() && lifecycle == null) {
          return; // nothing configured, nothing seen: no history to start
        }
      }
      lifecycle(bucketName, lifecycle, at, INVENTORY_EVENT + ":" + at);
    }
  }

  /**
   * When the inventory last listed a bucket completely, or empty: a bucket inventoried where no
   * protected key is present is known not to hold any (as of then).
   */
  public Optional<Instant> inventoried(String bucketName) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return Optional.empty();
    }
    synchronized (b) {
      return Optional.ofNullable(b.inventoried);
    }
  }

  /** The bucket's versioning status as the inventory last read it, or empty. */
  public Optional<String> versioning(String bucketName) {
    Bucket b = buckets.get(bucketName);
    if (b == null) {
      return Optional.empty();
    }
    synchronized (b) {
      return Optional.ofNullable(b.versioning);
    }
  }
}
