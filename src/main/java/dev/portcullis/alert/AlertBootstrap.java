package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.ingest.KafkaBootstrap;
import dev.portcullis.ingest.KafkaTopics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.jboss.logging.Logger;

/**
 * Prepares alerting before the channels connect (after {@link KafkaBootstrap}): creates the
 * pending-alerts topic and the compacted alert-state topic when topics are created at all ({@code
 * portcullis.topics.create}, always for the embedded broker), and starts the {@link
 * AlertStateStore}, which reads the state in the background; delivery waits for it. Forgets the
 * state of long-quiet alerts every ten minutes.
 */
@ApplicationScoped
public class AlertBootstrap {

  private static final Logger LOG = Logger.getLogger(AlertBootstrap.class);

  @Inject AlertConfig config;
  @Inject PortcullisConfig portcullis;
  @Inject KafkaBootstrap kafka;
  @Inject ObjectMapper json;
  @Inject AlertMetrics metrics;

  @Inject
  @Identifier("default-kafka-broker")
  Map<String, Object> kafkaConfig;

  private volatile AlertStateStore store;

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 20) StartupEvent ev) {
    Map<String, Object> clients = AlertStateStore.clientSettings(kafkaConfig, kafka.servers());
    if (portcullis.topics().create() || kafka.isEmbedded()) {
      createTopics(clients);
    }
    store = new AlertStateStore(config.stateTopic(), json, clients).start();
    metrics.openAlerts(
        () -> store.all().stream().filter(s -> s.status() == AlertState.Status.OPEN).count());
  }

  private void createTopics(Map<String, Object> clients) {
    int partitions = portcullis.topics().partitions();
    List<NewTopic> wanted =
        List.of(
            KafkaTopics.topic(config.topic(), partitions),
            KafkaTopics.topic(config.stateTopic(), partitions)
                .configs(
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    try {
      KafkaTopics.createMissing(clients, wanted);
    } catch (IOException e) {
      LOG.warnf(
          "Could not create the alert topics %s and %s: %s",
          config.topic(), config.stateTopic(), e.getMessage());
    }
  }

  /** The alert state; null before start-up. */
  public AlertStateStore store() {
    return store;
  }

  @Scheduled(
      every = "10m",
      delayed = "10m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void expire() {
    AlertStateStore s = store;
    if (s != null && s.ready().isDone()) {
      int n = s.expire(Clock.systemUTC().instant(), config.stateRetention());
      if (n > 0) {
        LOG.debugf("Alert state: forgot %d quiet problems", n);
      }
    }
  }

  void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER - 10) ShutdownEvent ev) {
    if (store != null) {
      store.close();
    }
  }
}
