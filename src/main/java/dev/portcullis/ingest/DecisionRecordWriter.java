package dev.portcullis.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.policy.DecisionRecord;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Writes decision records that do not come from an input record (admission reviews, deferred
 * decisions, reverts, the protected-object guard, rejected policy reloads) to the decisions topic,
 * keyed by their event id.
 *
 * <p>Sends go through {@link KafkaSend}.
 */
@ApplicationScoped
public class DecisionRecordWriter {

  private final Emitter<byte[]> decisions;
  private final ObjectMapper mapper;

  @Inject
  public DecisionRecordWriter(
      @Channel(OutputChannels.DECISIONS_OUT)
          @OnOverflow(
              value = OnOverflow.Strategy.BUFFER,
              bufferSize = OutputChannels.EMITTER_BUFFER)
          Emitter<byte[]> decisions,
      ObjectMapper mapper) {
    this.decisions = decisions;
    this.mapper = mapper;
  }

  /**
   * Sends the record. Never throws: the future completes once Kafka has acknowledged the record,
   * and exceptionally when the record cannot be serialised, the emitter refuses it (its buffer is
   * full, the channel is down) or Kafka does not take it. The caller counts and logs the failure.
   */
  public CompletableFuture<Void> write(DecisionRecord record) {
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
    return KafkaSend.send(
        decisions,
        Message.of(json)
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(record.eventId()).build()));
  }
}
