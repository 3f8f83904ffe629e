package dev.portcullis.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enforce.revert.LifecycleRules;
import dev.portcullis.enrich.RateLimiter;
import dev.portcullis.protect.KeyGlob;
import dev.portcullis.protect.ProtectionParameters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.GetBucketLifecycleConfigurationResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads what each bucket of the account holds that the {@code etcd-control-files} policy protects:
 * ListBuckets, then per bucket (at most {@code maxBuckets}) ListObjectsV2 under the literal prefix
 * of each pattern that applies there (bounded by {@code maxKeysPerBucket}), the lifecycle
 * configuration and the versioning status. Each call waits for the rate limit. A bucket whose
 * listing fails or is cut short is reported as not complete; one whose lifecycle cannot be read
 * (AccessDenied) keeps what the stream knows.
 */
public final class S3Inventory {

  /**
   * What was read of one bucket; {@code readAt} is when its reading ended, so a change whose
   * CloudTrail event time is earlier may already show in it (the reading never passes for the state
   * before such a change).
   */
  public record BucketReading(
      String bucket,
      Map<String, Instant> protectedKeys,
      List<String> clusterRoots,
      boolean complete,
      JsonNode lifecycle,
      boolean lifecycleRead,
      String versioning,
      String problem,
      Instant readAt) {}

  /** The result of one pass over the buckets. */
  public record Result(List<BucketReading> buckets, int bucketsInAccount, int skipped) {}

  private final S3Client client;
  private final RateLimiter limiter;
  private final Duration maxWait;
  private final int maxBuckets;
  private final int maxKeys;
  private final AtomicLong calls = new AtomicLong();

  public S3Inventory(
      S3Client client, RateLimiter limiter, Duration maxWait, int maxBuckets, int maxKeys) {
    this.client = client;
    this.limiter = limiter;
    this.maxWait = maxWait;
    this.maxBuckets = maxBuckets;
    this.maxKeys = maxKeys;
  }

  /** S3 calls made so far. */
  public long calls() {
    return calls.get();
  }

  /** One pass: every bucket (within the bound) against the policy's parameters. */
  public Result read(ProtectionParameters params) {
    call();
    List<Bucket> all = client.listBuckets().buckets();
    List<BucketReading> out = new ArrayList<>();
    for (Bucket b : all) {
      if (out.size() >= maxBuckets) {
        break;
      }
      out.add(bucket(b.name(), params));
    }
    return new Result(out, all.size(), all.size() - out.size());
  }

  /** Reads one bucket. */
  public BucketReading bucket(String bucket, ProtectionParameters params) {
    List<KeyGlob> patterns = new ArrayList<>();
    for (KeyGlob g : params.protectedKeys()) {
      if (g.appliesTo(bucket)) {
        patterns.add(g);
      }
    }
    boolean stateStore = params.stateStoreBuckets().contains(bucket);
    Set<String> prefixes = new LinkedHashSet<>();
    patterns.forEach(g -> prefixes.add(literalPrefix(g.glob())));
    if (stateStore || !params.stateStoreMarkers().isEmpty()) {
      prefixes.add(""); // kOps cluster folders can be anywhere: read the whole bucket
    }
    if (prefixes.contains("")) {
      prefixes.retainAll(Set.of(""));
    }
    Map<String, Instant> found = new TreeMap<>();
    Map<String, Instant> listedFiles = new LinkedHashMap<>();
    Set<String> roots = new LinkedHashSet<>();
    boolean complete = true;
    String problem = null;
    int budget = maxKeys;
    for (String prefix : prefixes) {
      String token = null;
      boolean truncated;
      try {
        do {
          call();
          ListObjectsV2Request.Builder req =
              ListObjectsV2Request.builder()
                  .bucket(bucket)
                  .prefix(prefix)
                  .maxKeys(Math.max(1, Math.min(1000, budget)));
          if (token != null) {
            req.continuationToken(token);
          }
          ListObjectsV2Response page = client.listObjectsV2(req.build());
          for (S3Object o : page.contents()) {
            budget--;
            if (matches(o.key(), patterns)) {
              found.put(o.key(), o.lastModified());
            }
            String root = params.clusterRootOf(o.key());
            if (root != null) {
              roots.add(root);
            }
            if (!params.stateStoreFiles().isEmpty()) {
              listedFiles.put(o.key(), o.lastModified());
            }
          }
          truncated = Boolean.TRUE.equals(page.isTruncated());
          token = page.nextContinuationToken();
        } while (truncated && token != null && budget > 0);
      } catch (RuntimeException e) {
        complete = false;
        problem = "ListObjectsV2: " + short_(e);
        break;
      }
      if (truncated) {
        complete = false;
        problem = "more than " + maxKeys + " keys: listed in part";
      }
    }
    if (stateStore || !roots.isEmpty()) {
      Set<String> all = new LinkedHashSet<>(roots);
      all.add("*");
      List<KeyGlob> files = new ArrayList<>();
      for (String root : all) {
        for (String f : params.stateStoreFiles()) {
          files.add(KeyGlob.parse(root.isEmpty() ? f : root + "/" + f));
        }
      }
      listedFiles.forEach(
          (k, t) -> {
            if (matches(k, files)) {
              found.put(k, t);
            }
          });
    }
    JsonNode lifecycle = null;
    boolean lifecycleRead = true;
    try {
      call();
      GetBucketLifecycleConfigurationResponse r =
          client.getBucketLifecycleConfiguration(x -> x.bucket(bucket));
      lifecycle = LifecycleRules.json(r.rules());
    } catch (S3Exception e) {
      if (!"NoSuchLifecycleConfiguration".equals(code(e))) {
        lifecycleRead = false;
        problem = problem == null ? "GetBucketLifecycleConfiguration: " + short_(e) : problem;
      }
    } catch (RuntimeException e) {
      lifecycleRead = false;
      problem = problem == null ? "GetBucketLifecycleConfiguration: " + short_(e) : problem;
    }
    String versioning = null;
    try {
      call();
      versioning = client.getBucketVersioning(x -> x.bucket(bucket)).statusAsString();
    } catch (RuntimeException e) {
      problem = problem == null ? "GetBucketVersioning: " + short_(e) : problem;
    }
    return new BucketReading(
        bucket,
        found,
        List.copyOf(roots),
        complete,
        lifecycle,
        lifecycleRead,
        versioning,
        problem,
        Instant.now());
  }

  private void call() {
    if (!limiter.acquire(maxWait)) {
      throw new IllegalStateException("S3 rate limit: no call allowed within " + maxWait);
    }
    calls.incrementAndGet();
  }

  /**
   * The part of a glob before its first wildcard, up to the last {@code /}: what every matching key
   * starts with ({@code ""} for {@code **}/...).
   */
  static String literalPrefix(String glob) {
    int i = 0;
    while (i < glob.length() && "*?[".indexOf(glob.charAt(i)) < 0) {
      i++;
    }
    if (i == glob.length()) {
      return glob;
    }
    return glob.substring(0, glob.lastIndexOf('/', i) + 1);
  }

  private static boolean matches(String key, List<KeyGlob> patterns) {
    for (KeyGlob g : patterns) {
      if (g.matches(key)) {
        return true;
      }
    }
    return false;
  }

  private static String code(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  private static String short_(RuntimeException e) {
    if (e instanceof S3Exception s && code(s) != null) {
      return code(s) + " (" + s.statusCode() + ")";
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
