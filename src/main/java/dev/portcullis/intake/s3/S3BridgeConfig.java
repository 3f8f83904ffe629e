package dev.portcullis.intake.s3;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The CloudTrail-from-S3 bridge ({@link CloudTrailS3Bridge}): an SQS queue told of every log file
 * CloudTrail writes to a bucket. Off until {@code queue-url} is set. Credentials come from the AWS
 * default chain (environment, profile, web identity, instance role) unless a static key pair is set
 * here; they need sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility,
 * sqs:GetQueueAttributes and s3:GetObject (kms:Decrypt for SSE-KMS), see docs/intake-s3.md.
 */
@ConfigMapping(prefix = "portcullis.intake.cloudtrail-s3")
public interface S3BridgeConfig {

  /** URL of the SQS queue that receives the bucket's notifications; empty: the bridge is off. */
  Optional<String> queueUrl();

  /** Region of the queue and the bucket (and of request signing). */
  @WithDefault("us-east-1")
  String region();

  /** SQS endpoint override (a VPC endpoint, an SQS-compatible server); empty: AWS's own. */
  Optional<URI> sqsEndpoint();

  /** S3 endpoint override (a VPC endpoint, an S3-compatible server); empty: AWS's own. */
  Optional<URI> s3Endpoint();

  /** Address buckets in the path ({@code host/bucket}) instead of the host name. */
  @WithDefault("false")
  boolean s3PathStyle();

  /** Static access key id; empty: the AWS default credentials chain. */
  Optional<String> accessKeyId();

  /** Secret of the static access key; used only with {@link #accessKeyId()}. */
  Optional<String> secretAccessKey();

  /** Most log files read and written at once (the rest of a message's files wait). */
  @WithDefault("4")
  int concurrency();

  /**
   * A missing object is retried until its message was received this many times
   * (ApproximateReceiveCount), then dead-lettered and the message deleted.
   */
  @WithDefault("5")
  int maxReceives();

  /** Long-polling wait of one ReceiveMessage (0 to 20 s). */
  @WithDefault("PT20S")
  Duration waitTime();

  /**
   * How long a received message stays hidden from other readers while its files are read and
   * written; longer than the slowest file takes.
   */
  @WithDefault("PT5M")
  Duration visibilityTimeout();

  /** First wait before a message whose files failed for a passing reason is read again. */
  @WithDefault("PT10S")
  Duration retryBackoff();

  /** Longest wait before a failed message is read again (doubling from {@link #retryBackoff()}). */
  @WithDefault("PT5M")
  Duration maxRetryBackoff();

  /** Upper bound on one S3 GetObject or SQS call other than the long poll, retries included. */
  @WithDefault("PT30S")
  Duration timeout();

  /** How long shutdown waits for the files in flight to be written and their messages deleted. */
  @WithDefault("PT10S")
  Duration stopTimeout();
}
