package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.Target;
import dev.portcullis.ingest.KafkaSend;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Writes pending alerts to the pending-alerts topic, keyed by dedup key (so all messages about one
 * problem share a partition and are handled in order). Also the hook for whatever learns that a
 * condition cleared (a guard that sees the protected object back, an exception added, an operator
 * through {@code POST /v1/alerts/{dedupKey}/resolve}): {@link #resolve} sends a resolve through the
 * same durable path as the pages.
 */
@ApplicationScoped
public class AlertPublisher {

  /** Outgoing channel of pending alerts. */
  public static final String ALERTS_OUT = "alerts-out";

  private static final int BUFFER = 16384;

  private final Emitter<byte[]> emitter;
  private final ObjectMapper json;
  private final Clock clock = Clock.systemUTC();

  @Inject
  public AlertPublisher(
      @Channel(ALERTS_OUT) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = BUFFER)
          Emitter<byte[]> emitter,
      ObjectMapper json) {
    this.emitter = emitter;
    this.json = json;
  }

  /** Writes one pending alert; completes when Kafka has it. */
  public CompletableFuture<Void> publish(PendingAlert a) {
    byte[] value;
    try {
      value = json.writeValueAsBytes(a);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    return KafkaSend.send(
        emitter,
        Message.of(value)
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(a.dedupKey()).build()));
  }

  /**
   * Resolves the problem with this dedup key: sinks that were paged are told it cleared. A no-op
   * when the problem is not open.
   *
   * @param when when the condition cleared (event time); null for now
   */
  public CompletableFuture<Void> resolve(String dedupKey, String reason, Instant when) {
    return publish(PendingAlert.resolve(dedupKey, reason, when == null ? clock.instant() : when));
  }

  /** Resolves a policy's problem with a target. */
  public CompletableFuture<Void> resolve(
      String policy, Target target, String reason, Instant when) {
    return resolve(DedupKeys.of(policy, target), reason, when);
  }
}
