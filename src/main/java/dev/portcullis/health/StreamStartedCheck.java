package dev.portcullis.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the stream has run: a starting instance's Kafka Streams is first rebalancing
 * (joining the group, restoring its stores), and events that come meanwhile wait for it, for
 * seconds (docs/benchmarks.md, "Warm start"). Later rebalances (another instance joining or
 * leaving) do not make an instance unready: it still answers the admission webhook and takes audit
 * batches, which do not wait for the stream.
 */
@Readiness
@ApplicationScoped
public class StreamStartedCheck implements HealthCheck {

  private final Instance<KafkaStreams> streams;
  private volatile boolean started;

  @Inject
  public StreamStartedCheck(Instance<KafkaStreams> streams) {
    this.streams = streams;
  }

  @Override
  public HealthCheckResponse call() {
    String state = "none";
    if (streams.isResolvable()) {
      KafkaStreams.State s = streams.get().state();
      state = s.name();
      if (s == KafkaStreams.State.RUNNING) {
        started = true;
      }
    }
    return HealthCheckResponse.named("stream started")
        .status(started)
        .withData("state", state)
        .build();
  }
}
