package dev.portcullis.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points Portcullis's S3 access at the shared S3Mock server ({@link S3MockServer#shared()}), with
 * its dummy credentials and path-style addressing. Tests create their own buckets.
 */
public class S3MockResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    S3MockServer s3 = S3MockServer.shared();
    return Map.of(
        "portcullis.aws.s3.enabled", "true",
        "portcullis.aws.s3.endpoint", s3.endpoint().toString(),
        "portcullis.aws.s3.path-style", "true",
        "portcullis.aws.s3.access-key-id", "s3mock",
        "portcullis.aws.s3.secret-access-key", "s3mock",
        "portcullis.aws.s3.cache-ttl", "PT0S");
  }

  @Override
  public void stop() {
    // Shared with other test classes; stopped when the test JVM exits.
  }
}
