package dev.portcullis.inventory;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The inventory of the world, under {@code portcullis.inventory}: on start and on a schedule, what
 * the buckets hold (protected objects by the policies' own patterns, lifecycle configuration,
 * versioning; needs {@code portcullis.aws.s3.enabled}) and the weighted record sets of the hosted
 * zones (needs {@code portcullis.dns.route53.enabled}), written to the state the stream judges
 * with.
 */
@ConfigMapping(prefix = "portcullis.inventory")
public interface InventoryConfig {

  /** Take the inventory (off: Portcullis learns only from the stream and lookups). */
  @WithDefault("false")
  boolean enabled();

  /** How long after start the first inventory begins. */
  @WithDefault("PT5S")
  Duration initialDelay();

  /** How often it is taken again. */
  @WithDefault("PT6H")
  Duration every();

  /** Most buckets read per inventory (ListBuckets order); the rest are counted as skipped. */
  @WithDefault("1000")
  int maxBuckets();

  /**
   * Most keys listed per bucket (pages of 1000); a bucket listed only in part is not taken as known
   * to hold no protected object.
   */
  @WithDefault("10000")
  int maxKeysPerBucket();

  /** The hosted zones to read (bare ids); empty: every zone ListHostedZones returns. */
  Optional<List<String>> zones();

  /** Most hosted zones read per inventory. */
  @WithDefault("100")
  int maxZones();

  /** Most record sets read per zone (pages of 300). */
  @WithDefault("10000")
  int maxRecordSetsPerZone();

  /** Most S3 calls per second the inventory makes (on top of the lookups' own limit). */
  @WithDefault("20")
  double s3CallsPerSecond();

  /**
   * Most Route53 calls per second (Route53 allows five per second per account, shared with every
   * other tool).
   */
  @WithDefault("2")
  double route53CallsPerSecond();
}
