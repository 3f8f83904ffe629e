package dev.portcullis.history;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * CloudTrail's own history (LookupEvents: the last 90 days of management events of one account and
 * region). Off by default. Needs {@code cloudtrail:LookupEvents}; credentials from the AWS default
 * chain unless a static key pair is set here.
 */
@ConfigMapping(prefix = "portcullis.aws.cloudtrail")
public interface CloudTrailConfig {

  /** Fill gaps in the stream from LookupEvents, on start and every {@link #every()}. */
  @WithDefault("false")
  boolean enabled();

  /** Region whose events are read (LookupEvents answers for one region). */
  @WithDefault("us-east-1")
  String region();

  /** Endpoint override (a VPC endpoint); empty: AWS's own endpoint. */
  Optional<URI> endpoint();

  /** Static access key id; empty: the AWS default credentials chain. */
  Optional<String> accessKeyId();

  /** Secret of the static access key; used only with {@link #accessKeyId()}. */
  Optional<String> secretAccessKey();

  /**
   * How far back each sweep reads. At most {@code portcullis.ingest.dedup-window} minus five
   * minutes: an event older than the window the stream remembers ids for could be decided twice, so
   * a longer lookback is cut to that (and said so at start).
   */
  @WithDefault("PT50M")
  Duration lookback();

  /** Time between sweeps; the first runs {@link #initialDelay()} after start. */
  @WithDefault("PT5M")
  Duration every();

  /** Wait after start before the first sweep (the stream joins its group first). */
  @WithDefault("PT10S")
  Duration initialDelay();

  /**
   * LookupEvents calls per second. AWS allows two per account and region, shared by every caller:
   * keep some for the console and other tools.
   */
  @WithDefault("1.5")
  double callsPerSecond();

  /** Most events one sweep writes; the rest wait for the next sweep. */
  @WithDefault("10000")
  int maxEvents();

  /** Upper bound on one call, retries included. */
  @WithDefault("PT20S")
  Duration timeout();
}
