package dev.portcullis.enforce.revert;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Automatic revert of risky cloud changes, under {@code portcullis.revert}. Off until a policy is
 * listed in {@link #policies()}; then only decisions of that policy whose effective action is
 * {@code block} are reverted, on the stream only. The S3 client comes from {@code
 * portcullis.aws.s3.*}, the Route53 client from {@code portcullis.dns.route53.*} (both used here
 * whether or not their lookups are enabled). See {@code docs/reverts.md}.
 */
@ConfigMapping(prefix = "portcullis.revert")
public interface RevertConfig {

  /**
   * Policies whose {@code block} decisions are reverted ({@code etcd-control-files}, {@code
   * dns-weight-shift}); none by default, so nothing is ever reverted until an operator opts in.
   */
  Optional<List<String>> policies();

  /**
   * Log the exact API calls a revert would make and record them in its decision record, without
   * making them (reads of the current state still happen).
   */
  @WithDefault("false")
  boolean dryRun();

  /** How often a change by an IaC identity is reverted before Portcullis stops fighting it. */
  Iac iac();

  /**
   * Principals (ARN globs, {@code *} matches anything) whose changes are never reverted: the role
   * Portcullis's own credentials assume, so it never reverts its own revert. Changes whose user
   * agent carries {@link #userAgent()} are recognised without this. None by default.
   */
  Optional<List<String>> ownPrincipals();

  /**
   * Added to the user agent of every revert call; CloudTrail records it, so Portcullis recognises
   * (and never reverts) its own changes.
   */
  @WithDefault("portcullis-revert")
  String userAgent();

  /** Most deleted objects one event's revert restores (each needs a ListObjectVersions call). */
  @WithDefault("100")
  int maxObjects();

  /**
   * How far a delete marker's time may lie from the event's time and still be the marker that event
   * made, when CloudTrail did not record the marker's version id.
   */
  @WithDefault("PT1M")
  Duration deleteMarkerTolerance();

  /** The limit on reverting changes made by infrastructure-as-code identities. */
  interface Iac {
    /**
     * Reverts of one resource against one IaC identity within {@link #window()} (event time); the
     * next change is left alone and raises "IaC keeps re-applying this".
     */
    @WithDefault("2")
    int maxReverts();

    /** The window, in event time, in which {@link #maxReverts()} applies. */
    @WithDefault("PT1H")
    Duration window();
  }
}
