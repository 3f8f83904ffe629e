package dev.portcullis.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.portcullis.config.DnsConfig;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.enrich.RateLimiter;
import dev.portcullis.enrich.route53.Route53Lookups;
import dev.portcullis.enrich.s3.S3Access;
import dev.portcullis.enrich.s3.S3Config;
import dev.portcullis.intake.IntakeWriter;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.protect.ProtectionParameters;
import dev.portcullis.protect.S3ProtectionFacts;
import dev.portcullis.stream.ChangeRecord;
import dev.portcullis.stream.Scopes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Takes the inventory on start and every {@code portcullis.inventory.every}: the buckets (with S3
 * access on) and the weighted record sets (with Route53 access on), each reading written to the
 * changes topic keyed by its scope ({@link InventoryRecords}), so the judge that owns the bucket or
 * zone records it in the state it judges with, durable and shared by every instance. Started on an
 * account it has never seen, Portcullis thus knows which buckets hold control files, their
 * lifecycle configuration (what a revert puts back) and the weights of every weighted record before
 * the stream mentions them.
 *
 * <p>Metrics: {@code portcullis_inventory_runs_total{result}}, {@code
 * portcullis_inventory_calls_total{service}}, {@code portcullis_inventory_items_total{kind}}
 * (readings written), {@code portcullis_inventory_incomplete_total{kind}} (buckets or zones read in
 * part or not at all), {@code portcullis_inventory_last_success_seconds} and {@code
 * portcullis_inventory_last_duration_seconds}.
 */
@ApplicationScoped
public class Inventory {

  private static final Logger LOG = Logger.getLogger(Inventory.class);
  static final String INTAKE = "inventory";

  /** Longest an inventory call waits for its rate limit. */
  private static final Duration RATE_WAIT = Duration.ofMinutes(1);

  @Inject InventoryConfig config;
  @Inject S3Config s3Config;
  @Inject DnsConfig dns;
  @Inject PortcullisConfig portcullis;
  @Inject ChangeEvaluator evaluator;
  @Inject IntakeWriter writer;
  @Inject MeterRegistry registry;
  @Inject ObjectMapper mapper;

  private ScheduledExecutorService timer;
  private S3Client s3;
  private Route53Client route53;
  private S3Inventory buckets;
  private Route53Inventory zones;
  private final AtomicLong lastSuccess = new AtomicLong();
  private final AtomicLong lastDurationMs = new AtomicLong();
  private final AtomicReference<Summary> last = new AtomicReference<>();

  /** What one inventory found, for logs and tests. */
  public record Summary(
      int buckets,
      int bucketsWithProtectedObjects,
      int bucketsIncomplete,
      int bucketsSkipped,
      int zones,
      int weightedGroups,
      int zonesIncomplete,
      long s3Calls,
      long route53Calls,
      Duration took) {}

  void onStart(@Observes StartupEvent start) {
    if (!config.enabled()) {
      return;
    }
    boolean withS3 = s3Config.enabled();
    boolean withRoute53 = dns.route53().enabled();
    if (!withS3 && !withRoute53) {
      LOG.warn(
          "portcullis.inventory.enabled is on, but neither S3 access (portcullis.aws.s3.enabled)"
              + " nor Route53 access (portcullis.dns.route53.enabled) is: nothing to inventory");
      return;
    }
    if (withS3) {
      s3 = S3Access.clientBuilder(s3Config, o -> {}).crossRegionAccessEnabled(true).build();
      buckets =
          new S3Inventory(
              s3,
              new RateLimiter(config.s3CallsPerSecond(), 1, RateLimiter.Ticker.SYSTEM),
              RATE_WAIT,
              config.maxBuckets(),
              config.maxKeysPerBucket());
      FunctionCounter.builder("portcullis.inventory.calls", buckets, S3Inventory::calls)
          .tag("service", "s3")
          .description("API calls the inventory made")
          .register(registry);
    }
    if (withRoute53) {
      route53 = Route53Lookups.clientBuilder(dns.route53(), o -> {}).build();
      zones =
          new Route53Inventory(
              route53,
              new RateLimiter(config.route53CallsPerSecond(), 1, RateLimiter.Ticker.SYSTEM),
              RATE_WAIT,
              config.maxZones(),
              config.maxRecordSetsPerZone());
      FunctionCounter.builder("portcullis.inventory.calls", zones, Route53Inventory::calls)
          .tag("service", "route53")
          .description("API calls the inventory made")
          .register(registry);
    }
    Gauge.builder("portcullis.inventory.last.success", lastSuccess, a -> a.get() / 1000.0)
        .description("When the last inventory finished (epoch seconds; 0: none yet)")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("portcullis.inventory.last.duration", lastDurationMs, a -> a.get() / 1000.0)
        .description("How long the last inventory took")
        .baseUnit("seconds")
        .register(registry);
    // Zero-valued series from start-up, so increase() counts the first failed run too.
    count("runs", "result", "ok", 0);
    count("runs", "result", "failed", 0);
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portcullis-inventory");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::runQuietly,
        config.initialDelay().toMillis(),
        config.every().toMillis(),
        TimeUnit.MILLISECONDS);
    LOG.infof(
        "Inventory on: %s%s every %s (at most %d buckets, %d zones)",
        withS3 ? "buckets" : "",
        withRoute53 ? (withS3 ? " and weighted records" : "weighted records") : "",
        config.every(),
        config.maxBuckets(),
        config.maxZones());
  }

  void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
      if (s3 != null) {
        s3.close();
      }
      if (route53 != null) {
        route53.close();
      }
    }
  }

  /** The last inventory's summary; null before the first has finished. */
  public Summary last() {
    return last.get();
  }

  private void runQuietly() {
    try {
      Summary s = run();
      count("runs", "result", "ok", 1);
      LOG.infof(
          "Inventory: %d buckets (%d hold protected objects, %d read in part, %d over the bound),"
              + " %d zones with %d weighted records (%d read in part); %d S3 and %d Route53 calls"
              + " in %s",
          s.buckets(),
          s.bucketsWithProtectedObjects(),
          s.bucketsIncomplete(),
          s.bucketsSkipped(),
          s.zones(),
          s.weightedGroups(),
          s.zonesIncomplete(),
          s.s3Calls(),
          s.route53Calls(),
          s.took());
    } catch (Exception e) {
      count("runs", "result", "failed", 1);
      LOG.warnf("Inventory failed (the next one retries in %s): %s", config.every(), e.toString());
    }
  }

  /** Takes one inventory and writes its readings; returns once Kafka has acknowledged them. */
  public Summary run() throws Exception {
    Instant started = Instant.now();
    long s3Before = buckets == null ? 0 : buckets.calls();
    long r53Before = zones == null ? 0 : zones.calls();
    Map<String, JsonNode> parameters = evaluator.parameters();
    Scopes scopes = Scopes.of(parameters);
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    int bucketCount = 0;
    int holding = 0;
    int partial = 0;
    int skipped = 0;
    Exception failure = null;
    if (buckets != null) {
      JsonNode p = parameters.getOrDefault(S3ProtectionFacts.POLICY, NullNode.getInstance());
      S3Inventory.Result result;
      try {
        result = buckets.read(ProtectionParameters.of(p));
      } catch (RuntimeException e) {
        failure = e;
        result = new S3Inventory.Result(List.of(), 0, 0);
      }
      for (S3Inventory.BucketReading b : result.buckets()) {
        bucketCount++;
        holding += b.protectedKeys().isEmpty() ? 0 : 1;
        if (!b.complete() || b.problem() != null) {
          partial++;
          LOG.debugf("Inventory of bucket %s: %s", b.bucket(), b.problem());
        }
        write(
            writes, Scopes.bucket(b.bucket()), InventoryRecords.bucket(b, b.readAt()), b.readAt());
      }
      skipped = result.skipped();
      count("items", "kind", "bucket", bucketCount);
      count("incomplete", "kind", "bucket", partial);
    }
    int zoneCount = 0;
    int groups = 0;
    int zonesPartial = 0;
    List<String> zoneIds = List.of();
    if (zones != null) {
      try {
        zoneIds = zones.zones(config.zones().orElse(List.of()));
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (zones != null) {
      for (String zone : zoneIds) {
        Route53Inventory.ZoneReading z = zones.zone(zone);
        zoneCount++;
        if (!z.complete()) {
          zonesPartial++;
          LOG.debugf("Inventory of zone %s: %s", zone, z.problem());
        }
        for (Route53Inventory.Group g : z.groups()) {
          groups++;
          write(
              writes,
              scopes.zone(g.zoneId()),
              InventoryRecords.weighted(g, z.readAt()),
              z.readAt());
        }
      }
      count("items", "kind", "weighted", groups);
      count("incomplete", "kind", "zone", zonesPartial);
    }
    IntakeWriter.all(writes).get(2, TimeUnit.MINUTES);
    if (failure != null) {
      // What was read is written; the run still counts as failed.
      throw failure;
    }
    Instant done = Instant.now();
    lastSuccess.set(done.toEpochMilli());
    lastDurationMs.set(Duration.between(started, done).toMillis());
    Summary s =
        new Summary(
            bucketCount,
            holding,
            partial,
            skipped,
            zoneCount,
            groups,
            zonesPartial,
            buckets == null ? 0 : buckets.calls() - s3Before,
            zones == null ? 0 : zones.calls() - r53Before,
            Duration.between(started, done));
    last.set(s);
    return s;
  }

  private void write(
      List<CompletableFuture<Void>> writes, String scope, JsonNode reading, Instant at) {
    byte[] value = ChangeRecord.inventory(scope, reading, at).write(mapper);
    writes.add(writer.write(INTAKE, portcullis.topics().changes(), scope, value));
  }

  private void count(String name, String tag, String value, double n) {
    Counter.builder("portcullis.inventory." + name)
        .tag(tag, value)
        .description(
            switch (name) {
              case "runs" -> "Inventories taken, by result";
              case "items" -> "Inventory readings written to the changes topic, by kind";
              default -> "Buckets or zones the inventory read in part or not at all";
            })
        .register(registry)
        .increment(n);
  }
}
