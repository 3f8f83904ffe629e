package dev.portcullis.alert;

import dev.portcullis.ingest.KafkaSend;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Writes what alerting cannot use or deliver to the dead-letter topic, with the same headers the
 * stream uses ({@code dead-letter-code}, {@code dead-letter-reason}, and {@code dead-letter-sink}
 * for a delivery a sink refused): an unreadable decision or pending alert, an alert a sink
 * rejected, an alert given up after its attempts. Nothing alerting drops is silent.
 */
@ApplicationScoped
public class AlertDeadLetters {

  /** Outgoing channel of alerting's dead letters (the stream's dead-letter topic). */
  public static final String ALERT_DEAD_LETTER_OUT = "alert-dead-letter";

  /** A decision record that is no JSON object. */
  public static final String INVALID_DECISION = "alert-invalid-decision";

  /** A pending alert that is no JSON object or has no dedup key. */
  public static final String INVALID_ALERT = "alert-invalid";

  /** A sink answered that it will never accept the alert. */
  public static final String REJECTED = "alert-rejected";

  /** A sink failed more often than its configured attempts. */
  public static final String GAVE_UP = "alert-gave-up";

  private static final Logger LOG = Logger.getLogger(AlertDeadLetters.class);

  private final Emitter<byte[]> emitter;

  @Inject
  public AlertDeadLetters(
      @Channel(ALERT_DEAD_LETTER_OUT)
          @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
          Emitter<byte[]> emitter) {
    this.emitter = emitter;
  }

  /** Writes one dead letter; completes when Kafka has it (never exceptionally). */
  public CompletableFuture<Void> write(
      String key, byte[] payload, String code, String reason, Map<String, String> more) {
    RecordHeaders headers = new RecordHeaders();
    header(headers, "dead-letter-code", code);
    header(headers, "dead-letter-reason", reason);
    more.forEach((k, v) -> header(headers, k, v));
    OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<Object> md =
        OutgoingKafkaRecordMetadata.builder().withHeaders(headers);
    if (key != null) {
      md.withKey(key.getBytes(StandardCharsets.UTF_8));
    }
    return KafkaSend.send(
            emitter, Message.of(payload == null ? new byte[0] : payload).addMetadata(md.build()))
        .handle(
            (ok, t) -> {
              if (t != null) {
                LOG.errorf(t, "Could not dead-letter %s (%s): %s", key, code, reason);
              }
              return null;
            });
  }

  private static void header(RecordHeaders headers, String name, String value) {
    if (value != null) {
      headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
