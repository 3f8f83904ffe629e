package dev.portcullis.enrich.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** An {@link S3Config} for plain tests: S3Mock's endpoint, its dummy keys, and tunable bounds. */
record TestS3Config(
    URI endpointUri,
    Duration timeout,
    Duration cacheTtl,
    double requestsPerSecond,
    Duration rateLimitWait,
    int maxListedKeys)
    implements S3Config {

  static TestS3Config of(URI endpoint) {
    return new TestS3Config(
        endpoint, Duration.ofSeconds(2), Duration.ofMinutes(1), 100, Duration.ofMillis(250), 5000);
  }

  TestS3Config withTimeout(Duration d) {
    return new TestS3Config(
        endpointUri, d, cacheTtl, requestsPerSecond, rateLimitWait, maxListedKeys);
  }

  TestS3Config withCacheTtl(Duration d) {
    return new TestS3Config(
        endpointUri, timeout, d, requestsPerSecond, rateLimitWait, maxListedKeys);
  }

  TestS3Config withRate(double perSecond, Duration wait) {
    return new TestS3Config(endpointUri, timeout, cacheTtl, perSecond, wait, maxListedKeys);
  }

  TestS3Config withMaxListedKeys(int n) {
    return new TestS3Config(endpointUri, timeout, cacheTtl, requestsPerSecond, rateLimitWait, n);
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public String region() {
    return "us-east-1";
  }

  @Override
  public Optional<URI> endpoint() {
    return Optional.of(endpointUri);
  }

  @Override
  public boolean pathStyle() {
    return true;
  }

  @Override
  public Optional<String> accessKeyId() {
    return Optional.of("s3mock-access-key");
  }

  @Override
  public Optional<String> secretAccessKey() {
    return Optional.of("s3mock-secret-key");
  }

  @Override
  public int maxAttempts() {
    return 1;
  }

  @Override
  public int cacheMaxEntries() {
    return 1000;
  }
}
