package dev.portcullis.enforce.revert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Events;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Lifecycle rules as CloudTrail records them, and setting and reading them in S3Mock. */
final class LifecycleFixtures {

  private LifecycleFixtures() {}

  /** The seed outage's rule: expire everything under backups/ after 30 days. */
  static final String OUTAGE_RULE =
      "{\"ID\":\"expire-old-backups\",\"Filter\":{\"Prefix\":\"backups/\"},\"Status\":\"Enabled\","
          + "\"Expiration\":{\"Days\":30}}";

  /** A harmless rule. */
  static final String UPLOADS_RULE =
      "{\"ID\":\"abort-uploads\",\"Filter\":\"\",\"Status\":\"Enabled\","
          + "\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":7}}";

  /** A rule that expires objects elsewhere. */
  static final String LOGS_RULE =
      "{\"ID\":\"expire-logs\",\"Filter\":{\"Prefix\":\"logs/\"},\"Status\":\"Enabled\","
          + "\"Expiration\":{\"Days\":14}}";

  /** A configuration as CloudTrail records it in PutBucketLifecycle's request parameters. */
  static JsonNode config(String... rules) {
    return Events.read(
        "{\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\",\"Rule\":"
            + (rules.length == 1 ? rules[0] : "[" + String.join(",", rules) + "]")
            + "}");
  }

  /** Puts a configuration into S3, as the change an event records did. */
  static void apply(S3Client s3, String bucket, JsonNode config) {
    List<LifecycleRule> rules = LifecycleRules.sdkRules(LifecycleRules.read(config));
    s3.putBucketLifecycleConfiguration(
        b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(rules)));
  }

  /** The ids of the bucket's rules; empty when it has no configuration. */
  static List<String> ruleIds(S3Client s3, String bucket) {
    try {
      return s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules().stream()
          .map(LifecycleRule::id)
          .toList();
    } catch (S3Exception e) {
      if ("NoSuchLifecycleConfiguration".equals(e.awsErrorDetails().errorCode())) {
        return List.of();
      }
      throw e;
    }
  }
}
