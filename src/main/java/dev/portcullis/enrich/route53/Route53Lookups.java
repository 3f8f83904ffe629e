package dev.portcullis.enrich.route53;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.DnsConfig;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.Route53ClientBuilder;
import software.amazon.awssdk.services.route53.model.AliasTarget;
import software.amazon.awssdk.services.route53.model.GeoLocation;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsRequest;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The {@code route53.*} family of {@link Lookups}, answered by Route53's API (read-only).
 *
 * <p>{@code route53.recordSets}, keyed {@code <zone id>/<name>/<type>} ({@link
 * RecordSetKey#lookupKey()}): ListResourceRecordSets from that name and type, every page that still
 * holds the group (weighted groups can span pages), answered as a list of record sets in
 * CloudTrail's shape ({@code name}, {@code type}, {@code setIdentifier}, {@code weight}, {@code
 * tTL}, {@code resourceRecords[].value}, {@code aliasTarget}, ...); an empty list when the group
 * does not exist.
 *
 * <p>Bounded: every call has a total timeout (retries included), answers are cached for a while,
 * calls are rate-limited (Route53 allows five requests a second per account). A lookup that fails
 * (timeout, throttling, rate limit, unknown zone, any error) is counted and answered as {@code
 * {"lookupFailed": "<reason>"}}, so the policy decides on the event alone and says why; it never
 * throws. Metrics: {@code portcullis.lookups{family,operation,result}} and {@code
 * portcullis.lookups.failures{family,operation,reason}} (bounded tags), {@code
 * portcullis.lookup.duration{family,operation}}, shared with the other lookup families.
 */
public final class Route53Lookups implements Lookups, AutoCloseable {

  /** Names of this family start with this. */
  public static final String PREFIX = "route53.";

  /** The record sets of one group (ListResourceRecordSets). */
  public static final String RECORD_SETS = WeightShiftFacts.LOOKUP;

  private static final Logger LOG = Logger.getLogger(Route53Lookups.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int PAGE_SIZE = 100;

  private record Cached(JsonNode answer, Instant until) {}

  private final Route53Client client;
  private final boolean ownsClient;
  private final Duration cacheTtl;
  private final int cacheMax;
  private final int maxPages;
  private final Duration maxWait;
  private final RateLimiter limiter;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer duration;

  /**
   * @param client the Route53 client (its own timeouts and retries apply)
   * @param maxWait longest a lookup waits for a rate-limit permit
   */
  public Route53Lookups(
      Route53Client client,
      boolean ownsClient,
      Duration cacheTtl,
      int cacheMax,
      int maxPages,
      RateLimiter limiter,
      Duration maxWait,
      Clock clock,
      MeterRegistry registry) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.cacheTtl = cacheTtl;
    this.cacheMax = cacheMax;
    this.maxPages = maxPages;
    this.limiter = limiter;
    this.maxWait = maxWait;
    this.clock = clock;
    this.registry = registry;
    this.duration =
        Timer.builder("portcullis.lookup.duration")
            .description("Time of one lookup call to its service")
            .tag("family", "route53")
            .tag("operation", "recordSets")
            .register(registry);
    // Zero-valued series from the start, so rate() and increase() count the first failure too.
    lookups("answered");
    lookups("failed");
  }

  /** Lookups with a client built from the configuration (default AWS credential chain). */
  public static Route53Lookups create(DnsConfig.Route53 config, MeterRegistry registry) {
    return new Route53Lookups(
        clientBuilder(config, o -> {}).build(),
        true,
        config.cacheTtl(),
        config.cacheMaxEntries(),
        config.maxPages(),
        new RateLimiter(
            config.requestsPerSecond(),
            Math.max(1, config.requestsPerSecond()),
            RateLimiter.Ticker.SYSTEM),
        config.timeout(),
        Clock.systemUTC(),
        registry);
  }

  /**
   * A client builder with the configuration's region, endpoint and timeouts (default AWS credential
   * chain); {@code more} adds to its override configuration. Shared by the lookups and the reverts'
   * own client.
   */
  public static Route53ClientBuilder clientBuilder(
      DnsConfig.Route53 config, Consumer<ClientOverrideConfiguration.Builder> more) {
    ClientOverrideConfiguration.Builder o =
        ClientOverrideConfiguration.builder()
            .apiCallTimeout(config.timeout())
            .apiCallAttemptTimeout(config.timeout());
    more.accept(o);
    Route53ClientBuilder b =
        Route53Client.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(config.timeout())
                    .socketTimeout(config.timeout()))
            .overrideConfiguration(o.build());
    config.endpoint().ifPresent(b::endpointOverride);
    return b;
  }

  @Override
  public Optional<JsonNode> find(String name, String key) {
    if (!RECORD_SETS.equals(name)) {
      return Optional.empty();
    }
    RecordSetKey k = RecordSetKey.parse(key);
    if (k == null) {
      return failed("bad-key", "not a lookup key: " + key);
    }
    String cacheKey = k.lookupKey();
    Cached hit = cache.get(cacheKey);
    Instant now = clock.instant();
    if (hit != null && now.isBefore(hit.until())) {
      count("cached");
      return Optional.of(hit.answer());
    }
    if (!limiter.acquire(maxWait)) {
      return failed("rate-limited", "rate limited (more lookups than allowed per second)");
    }
    long start = System.nanoTime();
    try {
      JsonNode answer = list(k);
      cache(cacheKey, answer, now);
      count("answered");
      return Optional.of(answer);
    } catch (NoSuchHostedZoneException e) {
      return failed("no-such-zone", "hosted zone " + k.zoneId() + " not found");
    } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
      return failed("timeout", "timeout");
    } catch (SdkServiceException e) {
      if (e.isThrottlingException()) {
        return failed("throttled", "throttled by Route53");
      }
      return failed(
          "error",
          "Route53 answered "
              + e.statusCode()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    } catch (SdkException e) {
      return failed(
          "error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    } finally {
      duration.record(Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** Every record set of the group, following pages while they still hold it. */
  private JsonNode list(RecordSetKey k) {
    ArrayNode out = JSON.arrayNode();
    String identifier = null;
    String startName = k.name();
    String startType = k.type();
    for (int page = 0; page < maxPages; page++) {
      ListResourceRecordSetsRequest.Builder req =
          ListResourceRecordSetsRequest.builder()
              .hostedZoneId(k.zoneId())
              .startRecordName(startName)
              .startRecordType(startType)
              .maxItems(Integer.toString(PAGE_SIZE));
      if (identifier != null) {
        req.startRecordIdentifier(identifier);
      }
      ListResourceRecordSetsResponse res = client.listResourceRecordSets(req.build());
      boolean past = false;
      for (ResourceRecordSet r : res.resourceRecordSets()) {
        if (k.name().equals(Route53Names.normalise(r.name()))
            && k.type().equals(r.typeAsString())) {
          out.add(json(r));
        } else {
          past = true; // listing is ordered: the group's members come together
          break;
        }
      }
      if (past
          || !Boolean.TRUE.equals(res.isTruncated())
          || !k.name().equals(Route53Names.normalise(res.nextRecordName()))
          || !k.type().equals(res.nextRecordTypeAsString())) {
        return out;
      }
      identifier = res.nextRecordIdentifier();
    }
    LOG.warnf(
        "route53.recordSets %s: more than %d pages; answered with the first %d record sets",
        k.describe(), maxPages, out.size());
    return out;
  }

  /** A record set in CloudTrail's shape (the SDK's lowerCamel names). */
  public static ObjectNode json(ResourceRecordSet r) {
    ObjectNode n = JSON.objectNode();
    n.put("name", r.name());
    n.put("type", r.typeAsString());
    if (r.setIdentifier() != null) {
      n.put("setIdentifier", r.setIdentifier());
    }
    if (r.weight() != null) {
      n.put("weight", r.weight());
    }
    if (r.regionAsString() != null) {
      n.put("region", r.regionAsString());
    }
    if (r.failoverAsString() != null) {
      n.put("failover", r.failoverAsString());
    }
    GeoLocation g = r.geoLocation();
    if (g != null) {
      ObjectNode geo = n.putObject("geoLocation");
      if (g.continentCode() != null) {
        geo.put("continentCode", g.continentCode());
      }
      if (g.countryCode() != null) {
        geo.put("countryCode", g.countryCode());
      }
      if (g.subdivisionCode() != null) {
        geo.put("subdivisionCode", g.subdivisionCode());
      }
    }
    if (r.multiValueAnswer() != null) {
      n.put("multiValueAnswer", r.multiValueAnswer());
    }
    if (r.ttl() != null) {
      n.put("tTL", r.ttl());
    }
    if (r.hasResourceRecords()) {
      ArrayNode values = n.putArray("resourceRecords");
      for (ResourceRecord rr : r.resourceRecords()) {
        values.addObject().put("value", rr.value());
      }
    }
    AliasTarget a = r.aliasTarget();
    if (a != null) {
      ObjectNode alias = n.putObject("aliasTarget");
      alias.put("hostedZoneId", a.hostedZoneId());
      alias.put("dNSName", a.dnsName());
      if (a.evaluateTargetHealth() != null) {
        alias.put("evaluateTargetHealth", a.evaluateTargetHealth());
      }
    }
    if (r.healthCheckId() != null) {
      n.put("healthCheckId", r.healthCheckId());
    }
    return n;
  }

  private void cache(String key, JsonNode answer, Instant now) {
    if (cache.size() >= cacheMax) {
      cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().until()));
      if (cache.size() >= cacheMax) {
        cache.clear(); // a burst of distinct keys: start over rather than grow
      }
    }
    cache.put(key, new Cached(answer, now.plus(cacheTtl)));
  }

  private Optional<JsonNode> failed(String reason, String message) {
    count("failed");
    counters
        .computeIfAbsent(
            "failure\u0000" + reason,
            r ->
                Counter.builder("portcullis.lookups.failures")
                    .description("Lookups that failed; the policy decided on the event alone")
                    .tag("family", "route53")
                    .tag("operation", "recordSets")
                    .tag("reason", reason)
                    .register(registry))
        .increment();
    LOG.warnf("route53.recordSets lookup failed: %s", message);
    ObjectNode n = JSON.objectNode();
    n.put("lookupFailed", message);
    return Optional.of(n);
  }

  private void count(String result) {
    lookups(result).increment();
  }

  private Counter lookups(String result) {
    return counters.computeIfAbsent(
        "result\u0000" + result,
        r ->
            Counter.builder("portcullis.lookups")
                .description("S3 and other lookups, by outcome")
                .tag("family", "route53")
                .tag("operation", "recordSets")
                .tag("result", result)
                .register(registry));
  }

  /** Failed lookups so far (all reasons). */
  public double failures() {
    return counters.entrySet().stream()
        .filter(e -> e.getKey().startsWith("failure\u0000"))
        .mapToDouble(e -> e.getValue().count())
        .sum();
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  /** For tests: what each counter has counted, by result. */
  Map<String, Double> counts() {
    Map<String, Double> out = new LinkedHashMap<>();
    counters.forEach((k, c) -> out.put(k.replace('\u0000', ':'), c.count()));
    return out;
  }
}
