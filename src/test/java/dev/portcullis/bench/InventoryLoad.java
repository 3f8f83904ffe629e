package dev.portcullis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.portcullis.enrich.RateLimiter;
import dev.portcullis.inventory.InventoryRecords;
import dev.portcullis.inventory.Route53Inventory;
import dev.portcullis.inventory.S3Inventory;
import dev.portcullis.protect.ProtectionParameters;
import dev.portcullis.testing.FakeRoute53;
import dev.portcullis.testing.S3MockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;

/**
 * Inventory of an account with B buckets and Z hosted zones: the time and the API calls of one
 * pass, with the rate limits off (what the servers allow) and at the defaults
 * (portcullis.inventory.s3-calls-per-second 20, route53-calls-per-second 2).
 *
 * <ol>
 *   <li>S3Mock (its own JVM) holds B buckets of 10 objects each; every 10th holds etcd-manager's
 *       two control files beside its backups, every 25th is a kOps state store, every 4th has a
 *       lifecycle configuration, every 3rd has versioning on, and 2 hold 2,500 objects (listings of
 *       several pages).
 *   <li>{@link FakeRoute53} (this JVM) holds Z zones with 20 weighted records of two members and 30
 *       simple records each; one zone holds 400 weighted records (pages of 300).
 *   <li>One pass is what {@code Inventory.run} reads, on the same classes, with the bundled
 *       etcd-control-files parameters: ListBuckets and each bucket, then the zones one by one; each
 *       reading is turned into its changes-topic record ({@link InventoryRecords}); the Kafka write
 *       is left out (the stream benchmarks measure it). The readings are checked against what was
 *       written, so a broken inventory makes the benchmark exit 1.
 * </ol>
 *
 * Run: {@code ./mvnw -B -q -Pbench package -DskipTests exec:exec
 * -Dbench.main=dev.portcullis.bench.InventoryLoad -Dbench.args="1000 100 3 1"} (buckets, zones,
 * passes without rate limits, passes at the default rate limits).
 */
public final class InventoryLoad {

  static final String CREATED = "/control/etcd-cluster-created";
  static final String SPEC = "/control/etcd-cluster-spec";

  public static void main(String[] args) throws Exception {
    int buckets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int zones = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int fastPasses = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int limitedPasses = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    JsonNode defaults =
        new YAMLMapper()
            .readTree(Path.of("rules/etcd-control-files/policy.yaml").toFile())
            .path("parameters");
    ProtectionParameters params = ProtectionParameters.of(defaults);
    ObjectMapper mapper = new ObjectMapper();

    try (S3MockServer s3mock = S3MockServer.start();
        FakeRoute53 route53 = FakeRoute53.start();
        S3Client s3 =
            S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(s3mock.endpoint())
                .forcePathStyle(true)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        Route53Client r53 =
            Route53Client.builder()
                .region(Region.AWS_GLOBAL)
                .endpointOverride(route53.endpoint())
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
      Expected expected = seed(s3, route53, buckets, zones);

      for (int pass = 1; pass <= fastPasses + limitedPasses; pass++) {
        boolean limited = pass > fastPasses;
        double s3Rate = limited ? 20 : 100_000;
        double r53Rate = limited ? 2 : 100_000;
        S3Inventory s3Inventory =
            new S3Inventory(
                s3,
                new RateLimiter(s3Rate, 1, RateLimiter.Ticker.SYSTEM),
                Duration.ofMinutes(1),
                10_000,
                10_000);
        Route53Inventory zoneInventory =
            new Route53Inventory(
                r53,
                new RateLimiter(r53Rate, 1, RateLimiter.Ticker.SYSTEM),
                Duration.ofMinutes(1),
                1000,
                10_000);
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        S3Inventory.Result result = s3Inventory.read(params);
        long bytes = 0;
        int holding = 0;
        int lifecycles = 0;
        int versioned = 0;
        int roots = 0;
        for (S3Inventory.BucketReading b : result.buckets()) {
          bytes += mapper.writeValueAsBytes(InventoryRecords.bucket(b, at)).length;
          holding += b.protectedKeys().isEmpty() ? 0 : 1;
          lifecycles += b.lifecycle() != null && b.lifecycle().path("Rules").size() > 0 ? 1 : 0;
          versioned += "Enabled".equals(b.versioning()) ? 1 : 0;
          roots += b.clusterRoots().size();
          if (!b.complete() || b.problem() != null) {
            throw new IllegalStateException(b.bucket() + " read in part: " + b.problem());
          }
        }
        long t1 = System.nanoTime();
        List<String> ids = zoneInventory.zones(List.of());
        int groups = 0;
        for (String id : ids) {
          Route53Inventory.ZoneReading z = zoneInventory.zone(id);
          if (!z.complete()) {
            throw new IllegalStateException(id + " read in part: " + z.problem());
          }
          for (Route53Inventory.Group g : z.groups()) {
            bytes += mapper.writeValueAsBytes(InventoryRecords.weighted(g, at)).length;
            groups++;
          }
        }
        long t2 = System.nanoTime();
        expected.check(result.buckets().size(), holding, lifecycles, versioned, roots);
        expected.checkZones(ids.size(), groups);
        LoadHarness.log(
            String.format(
                "[inventory] pass %d (%s): %d buckets (%d holding protected objects, %d kOps cluster"
                    + " roots, %d with lifecycle rules, %d versioned) in %.1f s with %d S3 calls;"
                    + " %d zones, %d weighted records in %.1f s with %d Route53 calls; %.1f s in"
                    + " all; %d records of %.1f MB for the changes topic",
                pass,
                limited ? "default rate limits: S3 20/s, Route53 2/s" : "no rate limit",
                result.buckets().size(),
                holding,
                roots,
                lifecycles,
                versioned,
                (t1 - t0) / 1e9,
                s3Inventory.calls(),
                ids.size(),
                groups,
                (t2 - t1) / 1e9,
                zoneInventory.calls(),
                (t2 - t0) / 1e9,
                result.buckets().size() + groups,
                bytes / 1e6));
      }
    }
  }

  /** What was written, to check the readings against. */
  record Expected(
      int buckets, int holding, int lifecycles, int versioned, int roots, int zones, int groups) {
    void check(int b, int h, int l, int v, int r) {
      if (b != buckets || h != holding || l != lifecycles || v != versioned || r != roots) {
        throw new IllegalStateException(
            String.format(
                "read %d buckets, %d holding, %d lifecycles, %d versioned, %d roots; wrote %s",
                b, h, l, v, r, this));
      }
    }

    void checkZones(int z, int g) {
      if (z != zones || g != groups) {
        throw new IllegalStateException(
            "read " + z + " zones and " + g + " weighted records; wrote " + this);
      }
    }
  }

  static Expected seed(S3Client s3, FakeRoute53 route53, int buckets, int zones) throws Exception {
    long t0 = System.nanoTime();
    int holding = 0;
    int lifecycles = 0;
    int versioned = 0;
    int roots = 0;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> puts = new ArrayList<>();
    for (int i = 0; i < buckets; i++) {
      String b = String.format("inv-bench-%04d", i);
      s3.createBucket(x -> x.bucket(b));
      List<String> keys = new ArrayList<>();
      if (i % 10 == 0) {
        String cluster = "backups/etcd/cluster-" + i;
        keys.add(cluster + CREATED);
        keys.add(cluster + SPEC);
        holding++;
      }
      if (i % 25 == 1) {
        String root = "k" + i + ".example.com";
        keys.add(root + "/config");
        keys.add(root + "/cluster-completed.spec");
        keys.add(root + "/instancegroup/nodes");
        roots++;
        holding++; // the cluster's config and spec are protected too
      }
      int plain = i == 2 || i == 3 ? 2500 : 10 - keys.size();
      for (int k = 0; k < plain; k++) {
        keys.add(String.format("data/%02d/object-%05d.json", k % 7, k));
      }
      for (String k : keys) {
        puts.add(
            pool.submit(() -> s3.putObject(x -> x.bucket(b).key(k), RequestBody.fromString(k))));
      }
      if (i % 4 == 0) {
        s3.putBucketLifecycleConfiguration(
            x ->
                x.bucket(b)
                    .lifecycleConfiguration(
                        c ->
                            c.rules(
                                r ->
                                    r.id("expire-data")
                                        .status(ExpirationStatus.ENABLED)
                                        .filter(f -> f.prefix("data/"))
                                        .expiration(e -> e.days(30)))));
        lifecycles++;
      }
      if (i % 3 == 0) {
        s3.putBucketVersioning(
            x ->
                x.bucket(b).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        versioned++;
      }
    }
    for (Future<?> f : puts) {
      f.get();
    }
    pool.shutdown();
    int groups = 0;
    for (int z = 0; z < zones; z++) {
      String id = String.format("ZBENCH%04d", z);
      String apex = "z" + z + ".example.com";
      route53.createZone(id, apex);
      int weighted = z == 0 ? 400 : 20;
      List<FakeRoute53.RecordSet> sets = new ArrayList<>();
      for (int r = 0; r < weighted; r++) {
        sets.add(FakeRoute53.RecordSet.weightedAlias("w" + r + "." + apex, "A", "blue", 90));
        sets.add(FakeRoute53.RecordSet.weightedAlias("w" + r + "." + apex, "A", "green", 10));
      }
      for (int r = 0; r < 30; r++) {
        sets.add(FakeRoute53.RecordSet.simple("s" + r + "." + apex, "CNAME", 300, "w0." + apex));
      }
      route53.seed(id, sets.toArray(FakeRoute53.RecordSet[]::new));
      groups += weighted;
    }
    LoadHarness.log(
        String.format(
            "seeded %d buckets (%d puts) and %d zones in %.0f s",
            buckets, puts.size(), zones, (System.nanoTime() - t0) / 1e9));
    return new Expected(buckets, holding, lifecycles, versioned, roots, zones, groups);
  }
}
