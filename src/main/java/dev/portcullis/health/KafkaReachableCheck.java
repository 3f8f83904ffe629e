package dev.portcullis.health;

import dev.portcullis.ingest.KafkaBootstrap;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the Kafka cluster answers (a describe-cluster call within two seconds). */
@Readiness
@ApplicationScoped
public class KafkaReachableCheck implements HealthCheck {

  @Inject KafkaBootstrap kafka;

  private Admin admin;

  @Override
  public HealthCheckResponse call() {
    String servers = kafka.servers();
    try {
      int nodes = admin().describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
      return HealthCheckResponse.named("kafka")
          .up()
          .withData("bootstrap", servers)
          .withData("nodes", nodes)
          .withData("embedded", kafka.isEmbedded())
          .build();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return HealthCheckResponse.named("kafka")
          .down()
          .withData("bootstrap", servers)
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }

  private synchronized Admin admin() {
    if (admin == null) {
      admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.servers(),
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000));
    }
    return admin;
  }

  @PreDestroy
  synchronized void close() {
    if (admin != null) {
      admin.close(java.time.Duration.ofSeconds(1));
    }
  }
}
