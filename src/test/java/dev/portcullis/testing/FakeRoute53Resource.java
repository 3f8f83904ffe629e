package dev.portcullis.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts a {@link FakeRoute53} for a running service and points its Route53 lookups at it ({@code
 * portcullis.dns.route53.enabled}, {@code .endpoint}); the SDK's default credential chain finds
 * test credentials in the system properties (the fake only checks that requests are signed).
 */
public class FakeRoute53Resource implements QuarkusTestResourceLifecycleManager {

  private static FakeRoute53 fake;

  /** The running fake (started by the service's test resources). */
  public static synchronized FakeRoute53 fake() {
    return fake;
  }

  @Override
  public synchronized Map<String, String> start() {
    fake = FakeRoute53.start();
    System.setProperty("aws.accessKeyId", "AKIAFAKEROUTE53TESTS");
    System.setProperty("aws.secretAccessKey", "fake-secret-for-signing");
    return Map.of(
        "portcullis.dns.route53.enabled",
        "true",
        "portcullis.dns.route53.endpoint",
        fake.endpoint().toString());
  }

  @Override
  public synchronized void stop() {
    if (fake != null) {
      fake.close();
    }
  }
}
