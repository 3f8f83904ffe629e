package dev.portcullis.protect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.FactProvider;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventTimes;
import dev.portcullis.event.s3.LifecycleAction;
import dev.portcullis.event.s3.LifecycleConfiguration;
import dev.portcullis.event.s3.LifecycleFilter;
import dev.portcullis.event.s3.LifecycleRule;
import dev.portcullis.event.s3.S3Requests;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * States what S3 requests do to protected objects, for the {@code etcd-control-files} policy:
 * {@link ProtectedObjectAtRisk} facts for lifecycle rules ({@code PutBucketLifecycle}) that reach
 * protected keys, deletions of protected keys ({@code DeleteObject}, {@code DeleteObjects}), and
 * the deletion of, or suspension of versioning on, a bucket known to hold protected objects.
 *
 * <p>In: the event, the policy's parameters ({@link ProtectionParameters}), S3 lookups ({@value
 * #OBJECTS} keyed {@code bucket/prefix}: which objects exist under a rule's prefix, with sizes and
 * times; {@value #OBJECT_TAGS} keyed {@code bucket/key}: an object's tags, asked only for rules
 * with a tag filter), and {@link ProtectionState}. Out: facts; and, for events that took effect on
 * the stream, state: protected keys written ({@code PutObject}, {@code CopyObject}, {@code
 * CompleteMultipartUpload}) or deleted, protected keys an S3 listing confirmed, kOps state stores,
 * and each bucket's lifecycle configurations.
 *
 * <p>A prefix reaches a pattern <em>directly</em> when the pattern's keys start with it (see {@link
 * KeyGlob}); an empty prefix (the whole bucket) or one only a {@code **} absorbs reaches protected
 * objects only in buckets known to hold them: an S3 listing finds them, Portcullis saw them written
 * (or the guard watches them), or the parameters name the bucket. Without such evidence it states
 * nothing: whole-bucket expirations of log buckets are everyday and harmless.
 */
public final class S3ProtectionFacts implements FactProvider {

  /** The policy whose parameters this provider reads. */
  public static final String POLICY = "etcd-control-files";

  /** Lookup: objects under a prefix. Key {@code bucket/prefix}. */
  public static final String OBJECTS = "s3.objects";

  /** Lookup: an object's tags. Key {@code bucket/key}. */
  public static final String OBJECT_TAGS = "s3.objectTags";

  static final String S3 = "s3.amazonaws.com";

  /** Lookup statuses, as facts carry them. */
  static final String ANSWERED = "answered";

  static final String FAILED = "failed";
  static final String NOT_CONFIGURED = "not configured";
  static final String NOT_NEEDED = "not needed";

  /** Evidence of a rule whose reach is not known: nothing says what the bucket holds. */
  public static final String UNKNOWN = "unknown";

  private record Parsed(JsonNode source, ProtectionParameters parameters) {}

  /** kOps state-store patterns by text, so busy state stores do not compile them per event. */
  private static final int MAX_CACHED_GLOBS = 10_000;

  private static final java.util.concurrent.ConcurrentHashMap<String, KeyGlob> GLOBS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static KeyGlob glob(String text) {
    KeyGlob g = GLOBS.get(text);
    if (g == null) {
      if (GLOBS.size() >= MAX_CACHED_GLOBS) {
        GLOBS.clear();
      }
      g = GLOBS.computeIfAbsent(text, KeyGlob::parse);
    }
    return g;
  }

  private volatile Parsed parsed;

  @Override
  public List<Object> facts(ChangeEvent e, FactContext ctx) {
    if (!S3.equals(e.getService()) || e.getTarget().getBucket() == null) {
      return List.of();
    }
    ProtectionParameters params = parameters(ctx.parameters(POLICY));
    if (params.protectsNothing()) {
      return List.of();
    }
    ProtectionState state = ctx.state().of(ProtectionState.class, ProtectionState::new);
    boolean record = ctx.recordsState() && e.isEffectiveWrite();
    Job job = new Job(e, ctx, params, state, record);
    return switch (e.getAction()) {
      case "PutBucketLifecycle" -> job.lifecycle();
      case "DeleteBucketLifecycle" -> job.lifecycleDeleted();
      case "DeleteObject" -> job.deleteObject();
      case "DeleteObjects" -> job.deleteObjects();
      case "DeleteBucket" -> job.deleteBucket();
      case "PutBucketVersioning" -> job.versioning();
      case "PutObject", "CopyObject", "CompleteMultipartUpload" -> job.written();
      default -> List.of();
    };
  }

  private ProtectionParameters parameters(JsonNode source) {
    Parsed p = parsed;
    if (p == null || p.source() != source) {
      p = new Parsed(source, ProtectionParameters.of(source));
      parsed = p;
    }
    return p.parameters();
  }

  /** An S3 listing as the provider uses it. */
  record Listing(String status, List<Listed> objects, boolean truncated) {
    boolean answered() {
      return ANSWERED.equals(status);
    }

    /** True when the listing is complete: what it does not show does not exist. */
    boolean conclusive() {
      return answered() && !truncated;
    }
  }

  /** One listed object. */
  record Listed(String key, Long size, Instant lastModified) {}

  /** Which protected keys a lifecycle rule reaches, and on what evidence. */
  record RuleReach(
      List<String> keys,
      String reach,
      String evidence,
      int objectsReached,
      boolean truncated,
      List<Instant> lastModified,
      String condition,
      String lookup) {}

  /** The work on one event. */
  private static final class Job {
    final ChangeEvent e;
    final FactContext ctx;
    final ProtectionParameters params;
    final ProtectionState state;
    final boolean record;
    final String bucket;

    Job(
        ChangeEvent e,
        FactContext ctx,
        ProtectionParameters params,
        ProtectionState state,
        boolean record) {
      this.e = e;
      this.ctx = ctx;
      this.params = params;
      this.state = state;
      this.record = record;
      this.bucket = e.getTarget().getBucket();
    }

    // ---- requests ----

    List<Object> lifecycle() {
      List<LifecycleRule> rules = LifecycleConfiguration.rules(e.getRequest());
      List<Object> facts = new ArrayList<>();
      List<KeyGlob> patterns = patterns();
      Map<String, Listing> listings = new LinkedHashMap<>();
      for (LifecycleRule rule : rules) {
        boolean harmful =
            rule.enabled()
                && rule.actions().stream().anyMatch(a -> a.kind().touchesCurrentObjects());
        boolean lookUp = harmful && e.getOutcome().isEffective();
        RuleReach reach = reach(rule.filter(), patterns, lookUp, harmful, listings);
        if (reach == null) {
          continue;
        }
        for (LifecycleAction a : rule.actions()) {
          facts.add(fact(rule, a, reach));
        }
      }
      if (record) {
        state.lifecycle(
            bucket,
            LifecycleConfiguration.configuration(e.getRequest()),
            e.getEventTime(),
            e.getId());
      }
      return facts;
    }

    List<Object> lifecycleDeleted() {
      if (record) {
        state.lifecycle(bucket, null, e.getEventTime(), e.getId());
      }
      return List.of();
    }

    List<Object> deleteObject() {
      String key = S3Requests.objectKey(e.getRequest());
      if (key == null) {
        key = e.getTarget().getKey();
      }
      return deleted(key == null ? List.of() : List.of(key));
    }

    List<Object> deleteObjects() {
      List<String> keys = S3Requests.deletedKeys(e.getRequest());
      if (keys != null) {
        return deleted(keys);
      }
      // CloudTrail does not record the keys: only a bucket known to hold protected objects counts.
      String known = knownBucket();
      if (known == null) {
        return List.of();
      }
      return List.of(
          bucketFact(
              "deletes", "now", known, "keys not recorded by CloudTrail", presentKeysOrPatterns()));
    }

    List<Object> deleteBucket() {
      String known = knownBucket();
      return known == null
          ? List.of()
          : List.of(bucketFact("deletes bucket", "now", known, null, presentKeysOrPatterns()));
    }

    List<Object> versioning() {
      String status = S3Requests.versioningStatus(e.getRequest());
      if (status == null || !status.equalsIgnoreCase("Suspended")) {
        return List.of();
      }
      String known = knownBucket();
      return known == null
          ? List.of()
          : List.of(bucketFact("suspends versioning", "now", known, null, presentKeysOrPatterns()));
    }

    List<Object> written() {
      if (!record) {
        return List.of();
      }
      String key = S3Requests.objectKey(e.getRequest());
      if (key == null) {
        key = e.getTarget().getKey();
      }
      if (key == null) {
        return List.of();
      }
      String root = params.clusterRootOf(key);
      if (root != null) {
        state.clusterRoot(bucket, root, e.getEventTime());
      }
      if (protectedKey(key, patterns())) {
        state.keyPresent(bucket, key, e.getEventTime(), ProtectionState.Seen.WRITTEN);
      }
      return List.of();
    }

    private List<Object> deleted(List<String> keys) {
      List<KeyGlob> patterns = patterns();
      List<String> hit = new ArrayList<>();
      for (String k : keys) {
        if (protectedKey(k, patterns)) {
          hit.add(k);
          if (record) {
            state.keyDeleted(bucket, k, e.getEventTime());
          }
        }
      }
      if (hit.isEmpty()) {
        return List.of();
      }
      return List.of(
          new ProtectedObjectAtRisk(
              e.getAction(),
              bucket,
              null,
              true,
              null,
              "deletes",
              null,
              true,
              "now",
              hit,
              "key",
              "request",
              -1,
              false,
              0,
              null,
              NOT_NEEDED));
    }

    private ProtectedObjectAtRisk bucketFact(
        String effect, String when, String evidence, String condition, List<String> keys) {
      return new ProtectedObjectAtRisk(
          e.getAction(),
          bucket,
          null,
          true,
          null,
          effect,
          null,
          true,
          when,
          keys,
          "bucket",
          evidence,
          -1,
          false,
          0,
          condition,
          NOT_NEEDED);
    }

    // ---- lifecycle reach ----

    private RuleReach reach(
        LifecycleFilter filter,
        List<KeyGlob> patterns,
        boolean lookUp,
        boolean harmful,
        Map<String, Listing> listings) {
      String prefix = filter.prefix();
      List<KeyGlob> direct = new ArrayList<>();
      List<KeyGlob> indirect = new ArrayList<>();
      for (KeyGlob g : patterns) {
        KeyGlob.Reach r = g.reach(prefix);
        if (prefix.isEmpty() || r == KeyGlob.Reach.ABSORBED) {
          indirect.add(g);
        } else if (r == KeyGlob.Reach.DIRECT) {
          direct.add(g);
        }
      }
      if (direct.isEmpty() && indirect.isEmpty()) {
        return null;
      }
      List<KeyGlob> relevant = new ArrayList<>(direct);
      relevant.addAll(indirect);
      Listing listing =
          lookUp
              ? listings.computeIfAbsent(prefix, p -> list(p))
              : new Listing(NOT_NEEDED, List.of(), false);
      String reachWord =
          prefix.isEmpty() ? "whole bucket" : direct.isEmpty() ? "through **" : "direct";

      // 1. The listing shows protected objects under the prefix: judge them one by one.
      List<Listed> found = new ArrayList<>();
      for (Listed o : listing.objects()) {
        if (o.key().startsWith(prefix) && protectedKey(o.key(), relevant)) {
          found.add(o);
          if (record) {
            state.keyPresent(bucket, o.key(), e.getEventTime(), ProtectionState.Seen.LISTED);
          }
        }
      }
      if (!found.isEmpty()) {
        return covered(filter, found, listing, reachWord);
      }

      // 2. The prefix leads straight to protected keys: the pattern is the evidence.
      if (!direct.isEmpty()) {
        Set<String> keys = new LinkedHashSet<>();
        direct.forEach(g -> keys.add(g.narrowedBy(prefix)));
        boolean kops = stateStoreGlobs.containsAll(direct);
        return new RuleReach(
            List.copyOf(keys),
            reachWord,
            kops ? "kOps state store" : "pattern",
            listing.conclusive() ? 0 : -1,
            listing.answered() && listing.truncated(),
            List.of(),
            filter.describeConditions(),
            listing.status());
      }

      // 3. Whole bucket or through **: only in a bucket known to hold protected objects.
      List<String> seen = new ArrayList<>();
      ProtectionState.Seen how = null;
      for (ProtectionState.KeyState k : state.keys(bucket)) {
        if (k.present() && k.key().startsWith(prefix) && protectedKey(k.key(), indirect)) {
          seen.add(k.key());
          how = k.how();
        }
      }
      if (!seen.isEmpty() && !listing.conclusive()) {
        return new RuleReach(
            seen,
            reachWord,
            how.words(),
            -1,
            listing.answered() && listing.truncated(),
            List.of(),
            filter.describeConditions(),
            listing.status());
      }
      String configured = configuredBucket();
      if (configured == null) {
        return unknown(filter, indirect, harmful, listing, reachWord);
      }
      if (listing.conclusive() && !prefix.isEmpty()) {
        return null; // S3 shows nothing protected under this prefix
      }
      Set<String> keys = new LinkedHashSet<>();
      indirect.forEach(g -> keys.add(g.glob()));
      return new RuleReach(
          List.copyOf(keys),
          reachWord,
          configured,
          listing.conclusive() ? 0 : -1,
          listing.answered() && listing.truncated(),
          List.of(),
          filter.describeConditions(),
          listing.status());
    }

    /**
     * A whole-bucket (or {@code **}) rule in a bucket not configured as holding protected objects
     * and where none was seen: quiet when something says the bucket holds none (a complete S3
     * listing now, the inventory, {@code unprotectedBuckets}); otherwise, for a rule that expires
     * or archives current objects, the worst case is every protected object the patterns allow, so
     * it is reported as unknown (as {@code alertWhenUnknown} says), naming what would make it
     * known.
     */
    private RuleReach unknown(
        LifecycleFilter filter,
        List<KeyGlob> indirect,
        boolean harmful,
        Listing listing,
        String reachWord) {
      if (!harmful
          || listing.conclusive()
          || state.inventoried(bucket).isPresent()
          || params.unprotectedBuckets().contains(bucket)) {
        return null;
      }
      boolean s3Access = ctx.lookups().serves(OBJECTS);
      switch (params.alertWhenUnknown()) {
        case NEVER:
          return null;
        case WITH_S3_ACCESS:
          if (!s3Access) {
            return null;
          }
          break;
        default:
          break;
      }
      Set<String> keys = new LinkedHashSet<>();
      indirect.forEach(g -> keys.add(g.glob()));
      return new RuleReach(
          List.copyOf(keys),
          reachWord,
          UNKNOWN,
          -1,
          listing.answered() && listing.truncated(),
          List.of(),
          filter.describeConditions(),
          listing.status());
    }

    /** The listed protected objects the rule's tag and size conditions cover. */
    private RuleReach covered(
        LifecycleFilter filter, List<Listed> found, Listing listing, String reachWord) {
      List<String> keys = new ArrayList<>();
      List<Instant> times = new ArrayList<>();
      boolean unsure = false;
      int tagLookups = 0;
      for (Listed o : found) {
        if ((filter.sizeGreaterThan() != null || filter.sizeLessThan() != null)
            && o.size() == null) {
          unsure = true; // the listing gave no size: cannot rule it out
        } else if (!filter.coversSize(o.size())) {
          continue;
        }
        if (!filter.tags().isEmpty()) {
          Optional<Map<String, String>> tags =
              tagLookups++ < params.maxTagLookups() ? tags(o.key()) : Optional.empty();
          if (tags.isEmpty()) {
            unsure = true;
          } else if (!filter.coversTags(tags.get())) {
            continue;
          }
        }
        keys.add(o.key());
        times.add(o.lastModified());
      }
      if (keys.isEmpty()) {
        return null; // the rule's conditions leave every protected object alone
      }
      return new RuleReach(
          keys,
          reachWord,
          "S3 listing",
          keys.size(),
          listing.truncated(),
          times,
          unsure ? filter.describeConditions() : null,
          unsure && tagsStatus != null ? tagsStatus : listing.status());
    }

    /** Null while every tag lookup answered; else why one did not. */
    private String tagsStatus;

    private ProtectedObjectAtRisk fact(LifecycleRule rule, LifecycleAction a, RuleReach r) {
      String effect;
      switch (a.kind()) {
        case EXPIRATION -> effect = "expires";
        case TRANSITION -> effect = "archives";
        case EXPIRED_DELETE_MARKERS -> effect = "removes expired delete markers";
        case NONCURRENT_EXPIRATION -> effect = "expires noncurrent versions";
        case NONCURRENT_TRANSITION -> effect = "archives noncurrent versions";
        default -> effect = "aborts incomplete uploads";
      }
      String when = a.when();
      LocalDate today = e.getEventTime().atOffset(ZoneOffset.UTC).toLocalDate();
      if (a.date() != null && !a.date().isAfter(today)) {
        when = "now (its date " + a.date() + " has passed)";
      }
      int due = 0;
      if (a.days() != null) {
        Instant cutoff = e.getEventTime().minus(Duration.ofDays(a.days()));
        for (Instant t : r.lastModified()) {
          if (t != null && !t.isAfter(cutoff)) {
            due++;
          }
        }
      }
      return new ProtectedObjectAtRisk(
          e.getAction(),
          bucket,
          rule.id(),
          rule.enabled(),
          rule.filter().prefix(),
          effect,
          a.storageClass(),
          a.kind().touchesCurrentObjects(),
          when,
          r.keys(),
          r.reach(),
          r.evidence(),
          r.objectsReached(),
          r.truncated(),
          due,
          r.condition(),
          r.lookup());
    }

    // ---- lookups ----

    private Listing list(String prefix) {
      Lookups lookups = ctx.lookups();
      Optional<JsonNode> answer = lookups.find(OBJECTS, bucket + "/" + prefix);
      if (answer.isEmpty()) {
        return new Listing(lookups.serves(OBJECTS) ? FAILED : NOT_CONFIGURED, List.of(), false);
      }
      JsonNode a = answer.get();
      JsonNode objects = a.isArray() ? a : a.path("objects");
      List<Listed> out = new ArrayList<>();
      for (JsonNode o : objects) {
        String key = o.path("key").asText(null);
        if (key == null) {
          continue;
        }
        JsonNode size = o.get("size");
        out.add(
            new Listed(
                key,
                size != null && size.canConvertToLong() ? size.asLong() : null,
                EventTimes.parse(o.path("lastModified").asText(null)).orElse(null)));
      }
      return new Listing(ANSWERED, out, a.path("truncated").asBoolean(false));
    }

    private Optional<Map<String, String>> tags(String key) {
      Optional<JsonNode> answer = ctx.lookups().find(OBJECT_TAGS, bucket + "/" + key);
      if (answer.isEmpty()) {
        tagsStatus = ctx.lookups().serves(OBJECT_TAGS) ? FAILED : NOT_CONFIGURED;
        return Optional.empty();
      }
      Map<String, String> tags = new LinkedHashMap<>();
      JsonNode t = answer.get().path("tags");
      for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        tags.put(f.getKey(), f.getValue().asText());
      }
      return Optional.of(tags);
    }

    // ---- what is protected here ----

    /** The kOps state-store patterns among {@link #patterns()}. */
    private final Set<KeyGlob> stateStoreGlobs = new java.util.HashSet<>();

    /** The patterns that apply in this bucket, kOps state-store files included when it is one. */
    private List<KeyGlob> patterns() {
      List<KeyGlob> out = new ArrayList<>();
      for (KeyGlob g : params.protectedKeys()) {
        if (g.appliesTo(bucket)) {
          out.add(g);
        }
      }
      if (!params.stateStoreFiles().isEmpty() && stateStore()) {
        Set<String> roots = new LinkedHashSet<>(state.clusterRoots(bucket));
        roots.add("*");
        for (String root : roots) {
          for (String f : params.stateStoreFiles()) {
            KeyGlob g = glob(root.isEmpty() ? f : root + "/" + f);
            out.add(g);
            stateStoreGlobs.add(g);
          }
        }
      }
      return out;
    }

    private boolean stateStore() {
      return params.stateStoreBuckets().contains(bucket) || !state.clusterRoots(bucket).isEmpty();
    }

    private static boolean protectedKey(String key, List<KeyGlob> patterns) {
      for (KeyGlob g : patterns) {
        if (g.matches(key)) {
          return true;
        }
      }
      return false;
    }

    /** Why the bucket is taken to hold protected objects by configuration, or null. */
    private String configuredBucket() {
      if (params.protectedBuckets().contains(bucket) || params.bindsBucket(bucket)) {
        return "configured bucket";
      }
      return stateStore() ? "kOps state store" : null;
    }

    /** Why the bucket is taken to hold protected objects, or null when it is not. */
    private String knownBucket() {
      ProtectionState.Seen how = null;
      for (ProtectionState.KeyState k : state.keys(bucket)) {
        if (k.present()) {
          how = k.how();
        }
      }
      if (how != null) {
        return how.words();
      }
      String configured = configuredBucket();
      if (configured != null) {
        return configured;
      }
      return state.knowsProtectedKeys(bucket) ? ProtectionState.Seen.WRITTEN.words() : null;
    }

    /** The protected keys known present in the bucket, or else the patterns that apply there. */
    private List<String> presentKeysOrPatterns() {
      List<String> keys = new ArrayList<>();
      for (ProtectionState.KeyState k : state.keys(bucket)) {
        if (k.present()) {
          keys.add(k.key());
        }
      }
      if (keys.isEmpty()) {
        patterns().forEach(g -> keys.add(g.glob()));
      }
      return keys;
    }
  }
}
