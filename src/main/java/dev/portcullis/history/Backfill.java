package dev.portcullis.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.config.AwsCredentials;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.enrich.RateLimiter;
import dev.portcullis.intake.IntakeWriter;
import dev.portcullis.policy.PolicyEngine;
import dev.portcullis.policy.PolicyMetadata;
import dev.portcullis.stream.ChangeRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClientBuilder;

/**
 * Fills gaps in the stream from CloudTrail's LookupEvents: on start and every {@code
 * portcullis.aws.cloudtrail.every}, reads the management events of the last {@code lookback} whose
 * names the loaded policies judge, and writes each to the CloudTrail topic (key: its event id,
 * header {@value ChangeRecord#VIA_HEADER}: {@value ChangeRecord#VIA_LOOKUP}). The stream decides
 * the ones it never delivered, counted in {@code portcullis_events_backfilled_total}, and drops the
 * others as second deliveries of ids it remembers (which is why the lookback stays within the dedup
 * window). A consumer that was down, a bridge that fell behind, a topic nobody fed: the next sweep
 * decides what they missed.
 */
@ApplicationScoped
public class Backfill {

  private static final Logger LOG = Logger.getLogger(Backfill.class);
  static final String INTAKE = "cloudtrail-lookup";

  @Inject CloudTrailConfig config;
  @Inject PortcullisConfig portcullis;
  @Inject PolicyEngine engine;
  @Inject IntakeWriter writer;
  @Inject MeterRegistry registry;
  @Inject ObjectMapper mapper;

  private ScheduledExecutorService timer;
  private CloudTrailClient client;
  private LookupEventsReader reader;
  private Duration lookback;
  private Counter sweepsOk;
  private Counter sweepsFailed;
  private Counter written;

  void onStart(@Observes StartupEvent start) {
    if (!config.enabled()) {
      return;
    }
    Duration limit = portcullis.ingest().dedupWindow().minusMinutes(5);
    lookback = config.lookback();
    if (lookback.compareTo(limit) > 0) {
      LOG.warnf(
          "portcullis.aws.cloudtrail.lookback %s is longer than the dedup window allows (%s):"
              + " cut to %s, so no event is decided twice",
          lookback, portcullis.ingest().dedupWindow(), limit);
      lookback = limit;
    }
    client = client(config);
    reader =
        new LookupEventsReader(
            client,
            new RateLimiter(config.callsPerSecond(), 1, RateLimiter.Ticker.SYSTEM),
            config.timeout());
    sweepsOk = sweeps("ok");
    sweepsFailed = sweeps("failed");
    written =
        Counter.builder("portcullis.backfill.events")
            .description("Events read from CloudTrail LookupEvents and written to the input topic")
            .register(registry);
    FunctionCounter.builder("portcullis.backfill.calls", reader, LookupEventsReader::calls)
        .description("LookupEvents calls made")
        .register(registry);
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portcullis-backfill");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::sweepQuietly,
        config.initialDelay().toMillis(),
        config.every().toMillis(),
        TimeUnit.MILLISECONDS);
    LOG.infof(
        "CloudTrail backfill on: region %s, the last %s every %s, %s calls/s",
        config.region(), lookback, config.every(), config.callsPerSecond());
  }

  void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
    if (timer != null) {
      timer.shutdownNow();
      client.close();
      timer = null;
    }
  }

  private Counter sweeps(String result) {
    return Counter.builder("portcullis.backfill.sweeps")
        .description("Backfill sweeps over CloudTrail LookupEvents, by result")
        .tag("result", result)
        .register(registry);
  }

  private void sweepQuietly() {
    try {
      int n = sweep(Instant.now());
      sweepsOk.increment();
      LOG.debugf("Backfill sweep wrote %d events", n);
    } catch (Exception e) {
      sweepsFailed.increment();
      LOG.warnf("Backfill sweep failed (the next one retries): %s", e.toString());
    }
  }

  /** One sweep up to {@code now}; returns the events written (once Kafka acknowledged them). */
  int sweep(Instant now) throws Exception {
    Instant from = now.minus(lookback);
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    AtomicInteger left = new AtomicInteger(config.maxEvents());
    for (String name : cloudTrailNames(engine.current().policies().values())) {
      if (left.get() <= 0) {
        break;
      }
      int n =
          reader.read(
              name,
              from,
              now,
              left.get(),
              json -> {
                String id = null;
                try {
                  JsonNode record = mapper.readTree(json);
                  id = record.path("eventID").asText(null);
                } catch (IOException e) {
                  // Written anyway: the stream dead-letters what it cannot read, with the reason.
                }
                writes.add(
                    writer.write(
                        INTAKE,
                        portcullis.topics().cloudtrail(),
                        id,
                        json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        Map.of(ChangeRecord.VIA_HEADER, ChangeRecord.VIA_LOOKUP)));
              });
      left.addAndGet(-n);
    }
    IntakeWriter.all(writes).get(config.timeout().toMillis() * 3, TimeUnit.MILLISECONDS);
    written.increment(writes.size());
    return writes.size();
  }

  /** The CloudTrail event names the policies judge (Kubernetes verbs are lower-case). */
  public static Set<String> cloudTrailNames(Iterable<PolicyMetadata> policies) {
    Set<String> names = new TreeSet<>();
    for (PolicyMetadata p : policies) {
      if (!p.sources().contains(dev.portcullis.event.ChangeEvent.CLOUDTRAIL)) {
        continue;
      }
      for (String n : p.eventNames()) {
        if (!n.isEmpty() && Character.isUpperCase(n.charAt(0))) {
          names.add(n);
        }
      }
    }
    return names;
  }

  static CloudTrailClient client(CloudTrailConfig config) {
    CloudTrailClientBuilder b =
        CloudTrailClient.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(credentials(config))
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(config.timeout())
                    .socketTimeout(config.timeout()))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .apiCallTimeout(config.timeout())
                    .retryStrategy(r -> r.maxAttempts(5))
                    .build());
    config.endpoint().ifPresent(b::endpointOverride);
    return b.build();
  }

  private static AwsCredentialsProvider credentials(CloudTrailConfig config) {
    return AwsCredentials.of(
        "portcullis.aws.cloudtrail", config.accessKeyId(), config.secretAccessKey());
  }
}
