package dev.portcullis.protect;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The protected-object guard: objects that must always exist, checked with S3 HeadObject (needs
 * {@code portcullis.aws.s3.enabled}).
 */
@ConfigMapping(prefix = "portcullis.protection.guard")
public interface GuardConfig {

  /**
   * Objects that must exist, as {@code s3://bucket/key}, e.g. {@code
   * s3://kops-state/prod.example.com/backups/etcd/main/control/etcd-cluster-created}; none by
   * default.
   */
  Optional<List<String>> objects();

  /** How often every object is checked. */
  @WithDefault("PT1M")
  Duration interval();

  /** How long a check waits for the decisions topic to take its record before retrying later. */
  @WithDefault("PT30S")
  Duration sendTimeout();
}
