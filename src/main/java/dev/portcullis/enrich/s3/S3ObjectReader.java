package dev.portcullis.enrich.s3;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Bounded, read-only S3 reads for lookups and the guard: ListObjectsV2 under a prefix, HeadObject,
 * GetObjectTagging. Every call is bounded by the client's timeouts (set where the client is built),
 * a shared rate limit, and (except the guard's fresh HeadObject) a cache; each outcome is counted
 * in {@code portcullis.lookups} (tags {@code family=s3}, {@code operation}, {@code result}: ok,
 * not-found, cached, timeout, rate-limited, failed) and timed in {@code
 * portcullis.lookup.duration}. A failure is an answer ({@link Read#failed()}), never an exception.
 * Thread-safe.
 */
public final class S3ObjectReader implements AutoCloseable {

  /** The outcome of one read: a value, not found, or failed (with a short reason). */
  public record Read<T>(T value, boolean notFound, String failure) {
    static <T> Read<T> of(T value) {
      return new Read<>(value, false, null);
    }

    static <T> Read<T> missing() {
      return new Read<>(null, true, null);
    }

    static <T> Read<T> fail(String reason) {
      return new Read<>(null, false, reason);
    }

    /** True when S3 did not answer (timeout, error, rate limit). */
    public boolean failed() {
      return failure != null;
    }
  }

  /** One listed object. */
  public record Listed(String key, long size, Instant lastModified, String etag) {}

  /** The objects under a prefix, up to the listing bound. */
  public record Listing(List<Listed> objects, boolean truncated) {}

  /** What HeadObject says of an object that exists. */
  public record Head(long size, Instant lastModified, String etag, String versionId) {}

  private final S3Client client;
  private final TokenBucket limit;
  private final Duration rateLimitWait;
  private final int maxListedKeys;
  private final TtlCache<String, Read<?>> cache;
  private final MeterRegistry registry;

  /** The lookups this reader makes, each a value of the {@code operation} tag. */
  private static final List<String> OPERATIONS = List.of("list", "head", "tags");

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  /**
   * @param client a client built with the timeouts and retries in force
   * @param requestsPerSecond the rate limit shared by every read
   */
  public S3ObjectReader(
      S3Client client,
      double requestsPerSecond,
      Duration rateLimitWait,
      Duration cacheTtl,
      int cacheMaxEntries,
      int maxListedKeys,
      MeterRegistry registry) {
    this.client = client;
    this.limit = new TokenBucket(requestsPerSecond);
    this.rateLimitWait = rateLimitWait;
    this.maxListedKeys = Math.max(1, maxListedKeys);
    this.cache = new TtlCache<>(cacheTtl, cacheMaxEntries);
    this.registry = registry;
    // Zero-valued series from the start, so rate() and increase() count the first failure too.
    for (String operation : OPERATIONS) {
      lookups(operation, "ok");
      lookups(operation, "failed");
    }
  }

  /** The objects under a prefix (at most the configured number of keys). */
  public Read<Listing> list(String bucket, String prefix) {
    return cached(
        "list",
        "list\u0000" + bucket + "\u0000" + prefix,
        () -> {
          List<Listed> out = new ArrayList<>();
          String token = null;
          boolean truncated;
          do {
            if (!acquire()) {
              return Read.fail("rate-limited");
            }
            ListObjectsV2Request.Builder req =
                ListObjectsV2Request.builder()
                    .bucket(bucket)
                    .prefix(prefix)
                    .maxKeys(Math.min(1000, maxListedKeys - out.size()));
            if (token != null) {
              req.continuationToken(token);
            }
            ListObjectsV2Response page = client.listObjectsV2(req.build());
            for (S3Object o : page.contents()) {
              out.add(
                  new Listed(
                      o.key(), o.size() == null ? -1 : o.size(), o.lastModified(), o.eTag()));
            }
            truncated = Boolean.TRUE.equals(page.isTruncated());
            token = page.nextContinuationToken();
          } while (truncated && token != null && out.size() < maxListedKeys);
          return Read.of(new Listing(List.copyOf(out), truncated));
        });
  }

  /** HeadObject, answered from the cache when it may be. */
  public Read<Head> head(String bucket, String key) {
    return cached("head", "head\u0000" + bucket + "\u0000" + key, () -> headNow(bucket, key));
  }

  /** HeadObject straight from S3 (the guard: it must see a deletion at once). */
  public Read<Head> headFresh(String bucket, String key) {
    return counted("head", () -> headNow(bucket, key));
  }

  /** An object's tags (GetObjectTagging). */
  public Read<Map<String, String>> tags(String bucket, String key) {
    return cached(
        "tags",
        "tags\u0000" + bucket + "\u0000" + key,
        () -> {
          if (!acquire()) {
            return Read.fail("rate-limited");
          }
          GetObjectTaggingResponse r = client.getObjectTagging(b -> b.bucket(bucket).key(key));
          Map<String, String> tags = new LinkedHashMap<>();
          r.tagSet().forEach(t -> tags.put(t.key(), t.value()));
          return Read.of(Map.copyOf(tags));
        });
  }

  private Read<Head> headNow(String bucket, String key) {
    if (!acquire()) {
      return Read.fail("rate-limited");
    }
    HeadObjectResponse r = client.headObject(b -> b.bucket(bucket).key(key));
    return Read.of(
        new Head(
            r.contentLength() == null ? -1 : r.contentLength(),
            r.lastModified(),
            r.eTag(),
            r.versionId()));
  }

  @SuppressWarnings("unchecked")
  private <T> Read<T> cached(String operation, String cacheKey, Supplier<Read<T>> call) {
    Optional<Read<?>> hit = cache.get(cacheKey);
    if (hit.isPresent()) {
      count(operation, "cached");
      return (Read<T>) hit.get();
    }
    Read<T> r = counted(operation, call);
    if (!r.failed()) {
      cache.put(cacheKey, r);
    }
    return r;
  }

  private <T> Read<T> counted(String operation, Supplier<Read<T>> call) {
    long start = System.nanoTime();
    Read<T> r;
    try {
      r = call.get();
    } catch (S3Exception e) {
      r = e.statusCode() == 404 ? Read.missing() : Read.fail("s3-" + e.statusCode());
    } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
      r = Read.fail("timeout");
    } catch (SdkException e) {
      r = Read.fail(isTimeout(e) ? "timeout" : "failed");
    } catch (RuntimeException e) {
      r = Read.fail("failed");
    }
    timer(operation).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    count(
        operation,
        r.failed()
            ? (r.failure().startsWith("s3-") ? "failed" : r.failure())
            : r.notFound() ? "not-found" : "ok");
    return r;
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.SocketTimeoutException
          || t instanceof java.net.http.HttpTimeoutException
          || t instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  private boolean acquire() {
    try {
      return limit.tryAcquire(rateLimitWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void count(String operation, String result) {
    lookups(operation, result).increment();
  }

  private Counter lookups(String operation, String result) {
    return counters.computeIfAbsent(
        operation + "\u0000" + result,
        k ->
            Counter.builder("portcullis.lookups")
                .description("S3 and other lookups, by outcome")
                .tag("family", "s3")
                .tag("operation", operation)
                .tag("result", result)
                .register(registry));
  }

  private Timer timer(String operation) {
    return timers.computeIfAbsent(
        operation,
        k ->
            Timer.builder("portcullis.lookup.duration")
                .description("Time of one lookup call to its service")
                .tag("family", "s3")
                .tag("operation", operation)
                .register(registry));
  }

  @Override
  public void close() {
    client.close();
  }
}
