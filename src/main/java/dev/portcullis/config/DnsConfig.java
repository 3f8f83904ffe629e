package dev.portcullis.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the Route53 lookups and of the component that decides overdue DNS mirrors, under
 * {@code portcullis.dns}. The policies' own tunables (shift step, zone pairs, window, lateness) are
 * policy parameters: {@code portcullis.policy.parameters."dns-weight-shift"} and {@code
 * portcullis.policy.parameters."dns-zone-split-brain"}.
 */
@ConfigMapping(prefix = "portcullis.dns")
public interface DnsConfig {

  /** Read-only Route53 lookups ({@code route53.recordSets}: ListResourceRecordSets). */
  Route53 route53();

  /** The component that decides DNS changes whose mirror never came. */
  SplitBrain splitBrain();

  /** Route53 lookups. */
  interface Route53 {
    /**
     * Look up record sets Portcullis has not seen in Route53 (needs AWS credentials from the SDK's
     * default chain with {@code route53:ListResourceRecordSets}). Off: decisions rest on the events
     * and what Portcullis has seen.
     */
    @WithDefault("false")
    boolean enabled();

    /** Endpoint override (a VPC endpoint, or a fake in tests); the AWS endpoint when unset. */
    Optional<URI> endpoint();

    /** Signing region; Route53 is global ({@code aws-global}). */
    @WithDefault("aws-global")
    String region();

    /** Longest a lookup may take, retries included; then the policy decides on the event alone. */
    @WithDefault("PT2S")
    Duration timeout();

    /** How long an answer is reused for the same record set. */
    @WithDefault("PT30S")
    Duration cacheTtl();

    /** Upper bound on cached answers. */
    @WithDefault("10000")
    int cacheMaxEntries();

    /**
     * Lookups per second at most (Route53 allows five API requests per second per account, shared
     * with every other tool of the account); a lookup beyond it fails as rate-limited.
     */
    @WithDefault("2")
    double requestsPerSecond();

    /** Upper bound on ListResourceRecordSets pages read for one record set. */
    @WithDefault("5")
    int maxPages();
  }

  /** Deciding overdue mirrors of paired zones. */
  interface SplitBrain {
    /**
     * How often to look for changes whose mirror is overdue (by event time, or by wall clock on a
     * quiet stream).
     */
    @WithDefault("PT5S")
    Duration checkEvery();
  }
}
