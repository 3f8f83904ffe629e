package dev.portcullis.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.enforce.revert.Reverts;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.DecodedBatch;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.KubernetesAuditParser;
import dev.portcullis.event.StageCoalescing;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.DecisionRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Consumer of CloudTrail and Kubernetes audit records from Kafka; writes exactly one decision
 * record per change event to the decisions channel, and every part it cannot decode or evaluate to
 * the dead-letter channel.
 *
 * <p>At least once: an input record is acknowledged (and so its offset committed) only after every
 * record it produced was acknowledged by Kafka. A second delivery of an event already decided is
 * dropped by its id; the audit stages of one Kubernetes request are decided once, on the most
 * complete stage. Nothing here stops the stream: a poison record is dead-lettered and the next one
 * is read. A {@code block} decision of a policy with automatic reverts starts its revert ({@link
 * Reverts}) once the decision is written; the input is acknowledged after the revert's record.
 */
@ApplicationScoped
public class ChangeEventPipeline {

  /** Incoming channel of CloudTrail records. */
  public static final String CLOUDTRAIL_IN = "cloudtrail";

  /** Incoming channel of Kubernetes audit events. */
  public static final String K8S_AUDIT_IN = "k8s-audit";

  /** Outgoing channel of decision records. */
  public static final String DECISIONS_OUT = "decisions";

  /** Outgoing channel of dead letters. */
  public static final String DEAD_LETTER_OUT = "dead-letter";

  /** Reason code of an event the policies could not evaluate. */
  public static final String EVALUATION_ERROR = "evaluation-error";

  private static final Logger LOG = Logger.getLogger(ChangeEventPipeline.class);

  /** Buffer of the outgoing emitters; every injection point of a channel must use the same. */
  public static final int EMITTER_BUFFER = 65536;

  private final EventDecoder decoder;
  private final ChangeEvaluator evaluator;
  private final ObjectMapper mapper;
  private final PipelineMetrics metrics;
  private final Emitter<byte[]> decisions;
  private final Emitter<byte[]> deadLetters;
  private final Reverts reverts;
  private final DeduplicationWindow dedup;
  private final StageHold hold = new StageHold();
  private final InFlightGate gate;
  private final Duration stageWait;
  private final Clock clock = Clock.systemUTC();

  @Inject
  public ChangeEventPipeline(
      EventDecoder decoder,
      ChangeEvaluator evaluator,
      ObjectMapper mapper,
      PipelineMetrics metrics,
      PortcullisConfig config,
      Reverts reverts,
      @Channel(DECISIONS_OUT)
          @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = EMITTER_BUFFER)
          Emitter<byte[]> decisions,
      @Channel(DEAD_LETTER_OUT)
          @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = EMITTER_BUFFER)
          Emitter<byte[]> deadLetters) {
    this.decoder = decoder;
    this.evaluator = evaluator;
    this.mapper = mapper;
    this.metrics = metrics;
    this.decisions = decisions;
    this.deadLetters = deadLetters;
    this.reverts = reverts;
    this.dedup =
        new DeduplicationWindow(config.ingest().dedupWindow(), config.ingest().dedupMaxEntries());
    this.gate = new InFlightGate(Math.min(config.ingest().maxInFlight(), EMITTER_BUFFER / 2));
    this.stageWait = config.ingest().stageWait();
  }

  @Incoming(CLOUDTRAIL_IN)
  public CompletionStage<Void> onCloudTrail(Message<byte[]> record) {
    return process(record);
  }

  @Incoming(K8S_AUDIT_IN)
  public CompletionStage<Void> onKubernetesAudit(Message<byte[]> record) {
    return process(record);
  }

  /**
   * Handles one input record. Returns as soon as the record's work is under way (or, when too much
   * is in flight, once there is room again); the record is acknowledged later, when all of its
   * output is written.
   */
  CompletionStage<Void> process(Message<byte[]> record) {
    Input in = new Input(record);
    List<CompletableFuture<Void>> work = new ArrayList<>();
    try {
      DecodedBatch batch = decoder.decode(record.getPayload(), in.arrival);
      for (DecodedBatch.Rejected r : batch.rejected()) {
        work.add(deadLetter(in, r.reason(), r.message(), r.location(), r.payload()));
      }
      for (ChangeEvent e : StageCoalescing.coalesce(batch.events())) {
        metrics.consumed(e.getSource());
        work.add(handle(e, in));
      }
    } catch (InvalidEventException e) {
      work.add(
          deadLetter(
              in,
              e.reason(),
              e.getMessage(),
              null,
              DeadLetters.scrub(record.getPayload(), mapper)));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Unexpected failure decoding %s", in.where());
      work.add(
          deadLetter(
              in,
              InvalidEventException.INVALID_RECORD,
              "unexpected failure: " + e,
              null,
              DeadLetters.scrub(record.getPayload(), mapper)));
    }
    CompletableFuture.allOf(work.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, err) -> {
              if (err == null) {
                record.ack();
              } else {
                LOG.errorf(
                    err, "Could not write the output of %s; it will be read again", in.where());
                record.nack(err);
              }
            });
    return gate.awaitRoom();
  }

  private CompletableFuture<Void> handle(ChangeEvent e, Input in) {
    boolean k8s = ChangeEvent.K8S_AUDIT.equals(e.getSource());
    if (k8s && KubernetesAuditParser.isPreliminaryStage(e.getOutcome().getStage())) {
      if (dedup.contains(e.getId())) {
        metrics.duplicate(e.getSource());
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> parked = hold.park(e, in, stageWait, this::decideAlone);
      if (parked == null) {
        metrics.duplicate(e.getSource());
        return CompletableFuture.completedFuture(null);
      }
      return parked;
    }
    StageHold.Parked earlier = k8s ? hold.take(e.getId()) : null;
    CompletableFuture<Void> done;
    if (dedup.claim(e.getId(), e.getEventTime()) == DeduplicationWindow.Claim.DUPLICATE) {
      metrics.duplicate(e.getSource());
      done = CompletableFuture.completedFuture(null);
    } else {
      done = decide(e, in);
    }
    if (earlier != null) {
      done.whenComplete(
          (ok, err) -> {
            if (err == null) {
              earlier.done.complete(null);
            } else {
              earlier.done.completeExceptionally(err);
            }
          });
    }
    return done;
  }

  /** A preliminary stage whose final stage did not come in time: decided on what it says. */
  private void decideAlone(StageHold.Parked p) {
    CompletableFuture<Void> done =
        dedup.claim(p.event.getId(), p.event.getEventTime()) == DeduplicationWindow.Claim.NEW
            ? decide(p.event, (Input) p.context)
            : CompletableFuture.completedFuture(null);
    done.whenComplete(
        (ok, err) -> {
          if (err == null) {
            p.done.complete(null);
          } else {
            p.done.completeExceptionally(err);
          }
        });
  }

  private CompletableFuture<Void> decide(ChangeEvent e, Input in) {
    DecisionRecord decision;
    byte[] json;
    List<Reverts.Job> revert;
    try {
      decision = evaluator.evaluate(e, in.arrival, true);
      json = mapper.writeValueAsBytes(decision);
      // Read now what the reverts need (state as of this event), run them once it is written.
      revert = reverts.prepare(e, decision);
    } catch (RuntimeException | JsonProcessingException ex) {
      LOG.warnf("Policies could not evaluate event %s from %s: %s", e.getId(), in.where(), ex);
      return deadLetter(
          in,
          EVALUATION_ERROR,
          "event " + e.getId() + " could not be evaluated: " + ex,
          null,
          rawJson(e));
    }
    Message<byte[]> out =
        Message.of(json)
            .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(e.getId()).build());
    return send(decisions, out)
        .whenComplete(
            (ok, err) -> {
              if (err != null) {
                dedup.release(e.getId());
                return;
              }
              evaluator.count(decision);
              Instant now = clock.instant();
              metrics.decided(
                  Duration.between(e.getEventTime(), now), Duration.between(in.arrival, now));
            })
        // The input is acknowledged once its reverts are recorded (a revert never fails this).
        .thenCompose(ok -> reverts.start(revert));
  }

  private byte[] rawJson(ChangeEvent e) {
    try {
      return mapper.writeValueAsBytes(e.getRaw());
    } catch (JsonProcessingException ex) {
      return new byte[0];
    }
  }

  private CompletableFuture<Void> deadLetter(
      Input in, String reason, String message, String location, byte[] payload) {
    RecordHeaders headers = new RecordHeaders();
    header(headers, "dead-letter-reason", message);
    header(headers, "dead-letter-code", reason);
    header(headers, "dead-letter-location", location);
    if (in.meta != null) {
      header(headers, "dead-letter-topic", in.meta.getTopic());
      header(headers, "dead-letter-partition", String.valueOf(in.meta.getPartition()));
      header(headers, "dead-letter-offset", String.valueOf(in.meta.getOffset()));
    }
    Object key = in.meta == null ? null : in.meta.getKey();
    OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<Object> md =
        OutgoingKafkaRecordMetadata.builder().withHeaders(headers);
    if (key instanceof byte[]) {
      md.withKey(key);
    }
    Message<byte[]> out = Message.of(payload).addMetadata(md.build());
    return send(deadLetters, out).whenComplete((ok, err) -> metrics.deadLetter(reason));
  }

  private static void header(RecordHeaders headers, String name, String value) {
    if (value != null) {
      headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private CompletableFuture<Void> send(Emitter<byte[]> emitter, Message<byte[]> message) {
    gate.acquire();
    return KafkaSend.send(emitter, message).whenComplete((ok, t) -> gate.release());
  }

  @PreDestroy
  void close() {
    hold.close();
  }

  /** What is known of an input record: its Kafka coordinates and arrival time. */
  private final class Input {
    final IncomingKafkaRecordMetadata<?, ?> meta;
    final Instant arrival;

    @SuppressWarnings("unchecked")
    Input(Message<byte[]> record) {
      this.meta = record.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
      Instant ts = meta == null ? null : meta.getTimestamp();
      this.arrival = ts == null || ts.toEpochMilli() <= 0 ? clock.instant() : ts;
    }

    String where() {
      return meta == null
          ? "a record"
          : meta.getTopic() + "-" + meta.getPartition() + "@" + meta.getOffset();
    }
  }
}
