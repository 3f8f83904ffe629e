package dev.portcullis.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.policy.DecisionRecord;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Writes decision records that do not come from an input record (admission reviews, deferred
 * decisions, reverts, the protected-object guard, rejected policy reloads) to the decisions topic,
 * keyed by their event id.
 *
 * <p>The record is serialised on the caller's thread and handed to one sending thread of its own,
 * which makes every send through {@link KafkaSend}: callers never wait for the emitter's lock. The
 * admission webhook's threads did (a JFR at 200 reviews/s on a saturated CPU showed them blocked on
 * it for 5 to 14 s out of 25), and a review waiting for a free thread waited for them. A shutdown
 * gives the queue 5 s; what is still queued then fails its future.
 */
@ApplicationScoped
public class DecisionRecordWriter {

  /**
   * Records handed over and not yet given to the emitter, at most. The emitter has a buffer of its
   * own ({@link OutputChannels#EMITTER_BUFFER}) for when Kafka is slow; this queue only covers the
   * sending thread's moments off the CPU, so it is kept small enough not to double what a slow
   * Kafka can hold in the heap.
   */
  static final int QUEUE = 4096;

  private static final Logger LOG = Logger.getLogger(DecisionRecordWriter.class);

  private final Emitter<byte[]> decisions;
  private final ObjectMapper mapper;
  private final ThreadPoolExecutor sender;

  @Inject
  public DecisionRecordWriter(
      @Channel(OutputChannels.DECISIONS_OUT)
          @OnOverflow(
              value = OnOverflow.Strategy.BUFFER,
              bufferSize = OutputChannels.EMITTER_BUFFER)
          Emitter<byte[]> decisions,
      ObjectMapper mapper) {
    this(decisions, mapper, QUEUE);
  }

  DecisionRecordWriter(Emitter<byte[]> decisions, ObjectMapper mapper, int queue) {
    this.decisions = decisions;
    this.mapper = mapper;
    this.sender =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, "portcullis-decision-writer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Sends the record. Never throws: the future completes once Kafka has acknowledged the record,
   * and exceptionally when the record cannot be serialised, the sending thread's queue is full or
   * the writer is closed, the emitter refuses it (its buffer is full, the channel is down) or Kafka
   * does not take it. The caller counts and logs the failure.
   */
  public CompletableFuture<Void> write(DecisionRecord record) {
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
    Message<byte[]> message =
        Message.of(json)
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(record.eventId()).build());
    Send send = new Send(message);
    try {
      sender.execute(send);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              sender.isShutdown()
                  ? "the decision writer is closed"
                  : "the decision writer's queue is full ("
                      + sender.getQueue().size()
                      + " records waiting for the emitter)",
              e));
    }
    return send.written;
  }

  /** One record on its way to the emitter, and what its writer is told. */
  private final class Send implements Runnable {
    final Message<byte[]> message;
    final CompletableFuture<Void> written = new CompletableFuture<>();

    Send(Message<byte[]> message) {
      this.message = message;
    }

    @Override
    public void run() {
      KafkaSend.send(decisions, message)
          .whenComplete(
              (ok, t) -> {
                if (t != null) {
                  written.completeExceptionally(t);
                } else {
                  written.complete(null);
                }
              });
    }
  }

  /** Gives what is queued to the emitter (up to 5 s) before the channel closes. */
  @PreDestroy
  void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
        List<Runnable> dropped = sender.shutdownNow();
        LOG.errorf(
            "%d decision records were not handed to Kafka within 5 s of shutdown", dropped.size());
        for (Runnable r : dropped) {
          ((Send) r)
              .written.completeExceptionally(
                  new IllegalStateException("the decision writer closed before sending it"));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
