package dev.portcullis.enrich.s3;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Read-only S3 access for the {@code s3.*} lookups and the protected-object guard. Off by default:
 * without it, policies decide on events alone. Credentials come from the AWS default chain
 * (environment, profile, web identity, instance role) unless a static key pair is set here.
 */
@ConfigMapping(prefix = "portcullis.aws.s3")
public interface S3Config {

  /**
   * Read S3 (ListObjectsV2, HeadObject, GetObjectTagging); needs s3:ListBucket and s3:GetObject*.
   */
  @WithDefault("false")
  boolean enabled();

  /** Region of the S3 endpoint (and of request signing). */
  @WithDefault("us-east-1")
  String region();

  /** Endpoint override (an S3-compatible server, a VPC endpoint); empty: AWS's own endpoint. */
  Optional<URI> endpoint();

  /** Address buckets in the path ({@code host/bucket}) instead of the host name. */
  @WithDefault("false")
  boolean pathStyle();

  /** Static access key id; empty: the AWS default credentials chain. */
  Optional<String> accessKeyId();

  /** Secret of the static access key; used only with {@link #accessKeyId()}. */
  Optional<String> secretAccessKey();

  /** Upper bound on one lookup, retries included (also the connect and read timeout). */
  @WithDefault("PT2S")
  Duration timeout();

  /** Attempts per call (1 = no retry). */
  @WithDefault("2")
  int maxAttempts();

  /** How long an answer is reused for the same question (the guard never uses the cache). */
  @WithDefault("PT1M")
  Duration cacheTtl();

  /** Most answers kept in the cache. */
  @WithDefault("10000")
  int cacheMaxEntries();

  /** Most S3 requests per second, across lookups and the guard. */
  @WithDefault("20")
  double requestsPerSecond();

  /** How long a lookup waits for the rate limit before it counts as failed. */
  @WithDefault("PT0.25S")
  Duration rateLimitWait();

  /**
   * Most keys one {@code s3.objects} listing reads (pages of up to 1000); beyond it is truncated.
   */
  @WithDefault("5000")
  int maxListedKeys();
}
