package dev.portcullis.ingest;

import dev.portcullis.config.PortcullisConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Makes sure there is a Kafka to talk to before the channels connect.
 *
 * <p>When {@code kafka.bootstrap.servers} is not configured, starts the {@link EmbeddedKafkaBroker}
 * on 127.0.0.1 ({@code portcullis.embedded-kafka.port}, default 9092) with its data in {@code
 * portcullis.embedded-kafka.data-dir}, and says so in one log line. When servers are configured it
 * never starts one. Either way it creates the missing Portcullis topics when {@code
 * portcullis.topics.create} is on.
 */
@ApplicationScoped
public class KafkaBootstrap {

  private static final Logger LOG = Logger.getLogger(KafkaBootstrap.class);

  @Inject PortcullisConfig config;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  Optional<String> bootstrapServers;

  private EmbeddedKafkaBroker embedded;

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ev)
      throws IOException {
    String servers;
    if (bootstrapServers.isEmpty() || bootstrapServers.get().isBlank()) {
      Path dir = Path.of(config.embeddedKafka().dataDir());
      embedded =
          new EmbeddedKafkaBroker(config.embeddedKafka().port(), dir).start(Duration.ofSeconds(60));
      servers = embedded.bootstrapServers();
      LOG.infof(
          "No Kafka configured (kafka.bootstrap.servers): started an embedded single-node KRaft"
              + " broker on %s with data in %s; set KAFKA_BOOTSTRAP_SERVERS to use a real cluster",
          servers, embedded.dataDir());
    } else {
      servers = bootstrapServers.get();
    }
    if (config.topics().create() || embedded != null) {
      List<String> topics =
          List.of(
              config.topics().cloudtrail(),
              config.topics().k8sAudit(),
              config.topics().decisions(),
              config.topics().deadLetter(),
              config.topics().changes());
      try {
        KafkaTopics.createMissing(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
            topics.stream().map(t -> KafkaTopics.topic(t, config.topics().partitions())).toList());
      } catch (IOException e) {
        if (embedded != null) {
          throw e;
        }
        LOG.warnf("Could not create topics %s on %s: %s", topics, servers, e.getMessage());
      }
    }
  }

  /**
   * Stops the embedded broker last: after the Kafka connector closed its consumers and producers
   * (it does so on the same event at priority 50), so they leave cleanly instead of retrying a
   * broker that is gone.
   */
  void onStop(
      @Observes
          @BeforeDestroyed(ApplicationScoped.class)
          @Priority(Interceptor.Priority.PLATFORM_AFTER)
          Object event) {
    if (embedded != null) {
      embedded.close();
      embedded = null;
    }
  }

  /** The bootstrap servers in use. */
  public String servers() {
    return embedded != null ? embedded.bootstrapServers() : bootstrapServers.orElse("");
  }

  /** True when this process runs its own broker. */
  public boolean isEmbedded() {
    return embedded != null;
  }
}
