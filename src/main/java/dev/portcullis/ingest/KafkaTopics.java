package dev.portcullis.ingest;

import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics Portcullis uses when they do not exist yet. Replication follows the cluster's
 * {@code default.replication.factor} (1 on the embedded broker, what the operator chose on a real
 * cluster); an existing topic is left as it is.
 */
public final class KafkaTopics {

  private KafkaTopics() {}

  /** A topic with the cluster's default replication. */
  public static NewTopic topic(String name, int partitions) {
    return new NewTopic(name, Optional.of(partitions), Optional.empty());
  }

  /**
   * Creates the missing ones of {@code wanted}.
   *
   * @param adminConfig admin client settings (at least {@code bootstrap.servers})
   */
  public static void createMissing(Map<String, Object> adminConfig, Collection<NewTopic> wanted)
      throws IOException {
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing = new HashSet<>(admin.listTopics().names().get(10, TimeUnit.SECONDS));
      List<NewTopic> missing =
          wanted.stream().filter(t -> !existing.contains(t.name())).distinct().toList();
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(
          "creating topics "
              + wanted.stream().map(NewTopic::name).toList()
              + " failed: "
              + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while creating topics", e);
    }
  }
}
