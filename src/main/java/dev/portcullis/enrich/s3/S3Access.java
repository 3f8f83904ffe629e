package dev.portcullis.enrich.s3;

import dev.portcullis.config.AwsCredentials;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The service's one bounded S3 reader ({@link S3ObjectReader}), built from {@link S3Config} when
 * {@code portcullis.aws.s3.enabled} is true; absent otherwise. Shared by the {@code s3.*} lookups
 * and the protected-object guard, so they share one rate limit and one cache.
 */
@ApplicationScoped
public class S3Access {

  private static final Logger LOG = Logger.getLogger(S3Access.class);

  private final Optional<S3ObjectReader> reader;

  @Inject
  public S3Access(S3Config config, MeterRegistry registry) {
    if (!config.enabled()) {
      reader = Optional.empty();
      return;
    }
    reader = Optional.of(build(config, registry));
    LOG.infof(
        "S3 lookups on: region %s, endpoint %s, timeout %s, %s requests/s",
        config.region(),
        config.endpoint().map(Object::toString).orElse("AWS"),
        config.timeout(),
        config.requestsPerSecond());
  }

  /** The reader, when S3 access is configured. */
  public Optional<S3ObjectReader> reader() {
    return reader;
  }

  /** Builds a reader from the configuration (also used by tests). */
  public static S3ObjectReader build(S3Config config, MeterRegistry registry) {
    return new S3ObjectReader(
        clientBuilder(config, o -> {}).build(),
        config.requestsPerSecond(),
        config.rateLimitWait(),
        config.cacheTtl(),
        config.cacheMaxEntries(),
        config.maxListedKeys(),
        registry);
  }

  /**
   * A client builder with the configuration's region, endpoint, addressing, credentials, timeouts
   * and retries; {@code more} adds to its override configuration (the reverts' client adds its user
   * agent). Shared by the read-only reader and the reverts' own client.
   */
  public static S3ClientBuilder clientBuilder(
      S3Config config, Consumer<ClientOverrideConfiguration.Builder> more) {
    ClientOverrideConfiguration.Builder o =
        ClientOverrideConfiguration.builder()
            .apiCallTimeout(config.timeout())
            .apiCallAttemptTimeout(config.timeout())
            .retryStrategy(r -> r.maxAttempts(Math.max(1, config.maxAttempts())));
    more.accept(o);
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(config.region()))
            .forcePathStyle(config.pathStyle())
            .credentialsProvider(credentials(config))
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(config.timeout())
                    .socketTimeout(config.timeout()))
            .overrideConfiguration(o.build());
    config.endpoint().ifPresent(b::endpointOverride);
    return b;
  }

  private static AwsCredentialsProvider credentials(S3Config config) {
    return AwsCredentials.of("portcullis.aws.s3", config.accessKeyId(), config.secretAccessKey());
  }

  @PreDestroy
  void close() {
    reader.ifPresent(S3ObjectReader::close);
  }
}
