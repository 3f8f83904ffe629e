package dev.portcullis.alert;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Hand-over of pending-alert partitions between instances. On assignment, waits (on the polling
 * thread, so no record of the new partitions is handled before) until the alert state written by
 * the previous owner has been read, so it knows what was already paged. On revocation, drops the
 * queued deliveries of those partitions: their new owner makes them.
 */
@ApplicationScoped
@Identifier(AlertPartitions.NAME)
public class AlertPartitions implements KafkaConsumerRebalanceListener {

  /** The listener's name in application.properties. */
  public static final String NAME = "portcullis-alert-partitions";

  private static final Logger LOG = Logger.getLogger(AlertPartitions.class);

  @Inject AlertBootstrap bootstrap;
  @Inject AlertDelivery delivery;
  @Inject AlertConfig config;

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    AlertStateStore store = bootstrap.store();
    if (store == null || partitions.isEmpty() || !store.ready().isDone()) {
      return; // before the first read of the state, delivery waits for it anyway
    }
    try {
      store.catchUp().get(config.stateLoadTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warnf(
          "Alert state not caught up within %s after taking %s; going on",
          config.stateLoadTimeout(), partitions);
    } catch (ExecutionException e) {
      LOG.warnf("Alert state catch-up failed: %s", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    delivery.revoked(partitions.stream().map(TopicPartition::partition).toList());
  }

  @Override
  public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    onPartitionsRevoked(consumer, partitions);
  }
}
