package dev.portcullis.ingest;

import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Sends a message through an emitter and tells when Kafka has it. */
public final class KafkaSend {

  private KafkaSend() {}

  /**
   * Sends {@code message} (its own ack and nack are replaced). Never throws: the future completes
   * once Kafka acknowledged the record, and exceptionally when Kafka did not take it or the emitter
   * refused it (its buffer is full, the channel is down).
   *
   * <p>Several beans share an emitter (SmallRye hands every injection point of a channel the same
   * instance), and an emitter is not safe for concurrent sends, so every send is serialised on the
   * emitter itself.
   */
  public static CompletableFuture<Void> send(Emitter<byte[]> emitter, Message<byte[]> message) {
    CompletableFuture<Void> written = new CompletableFuture<>();
    Message<byte[]> tracked =
        message
            .withAck(
                () -> {
                  written.complete(null);
                  return CompletableFuture.completedFuture(null);
                })
            .withNack(
                t -> {
                  written.completeExceptionally(t);
                  return CompletableFuture.completedFuture(null);
                });
    try {
      synchronized (emitter) {
        emitter.send(tracked);
      }
    } catch (RuntimeException e) {
      written.completeExceptionally(e);
    }
    return written;
  }
}
