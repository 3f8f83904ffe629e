package dev.portcullis.enforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.AdmissionReviewDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.Outcome;
import dev.portcullis.ingest.DecisionRecordWriter;
import dev.portcullis.ingest.KafkaSend;
import dev.portcullis.ingest.OutputChannels;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
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
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Judges admission reviews: the raw body of a {@code POST /k8s/validate} in, an {@link
 * AdmissionAnswer} (or an input error) out, within the configured budget.
 *
 * <p>The review is decoded by {@link AdmissionReviewDecoder} into the change event the stream would
 * see for the same request and evaluated by {@link ChangeEvaluator}, the one evaluation path
 * (enrichment facts, enforcement overrides, exceptions by event time). Evaluation runs on a small
 * pool of its own; when it has not finished within {@code portcullis.admission.budget} of the
 * review's arrival, fails, or finds the pool saturated, the configured failure answer ({@code
 * portcullis.admission.on-failure}) is given instead.
 *
 * <p>Per review (dry runs excepted) one decision record goes to the decisions topic, keyed by the
 * review's uid, with source {@code k8s-admission} and an outcome that says what the API server was
 * told (denied: failed with code 403, or 503 for a failure denial; allowed: not known yet). An
 * evaluation that finishes after the failure answer was given is still recorded, with an {@code
 * audit} decision of the pseudo-policy {@code portcullis-admission} saying so; one that fails is
 * dead-lettered like on the stream. Fact providers never remember anything from a review: the
 * change has not happened yet and may still be denied, so state comes from the audit stream only.
 */
@ApplicationScoped
public class AdmissionWebhook {

  /** Source of the decision records written at admission. */
  public static final String SOURCE = "k8s-admission";

  /** Pseudo-policy of the audit decision that records a failure answer. */
  public static final String FAILURE_POLICY = "portcullis-admission";

  private static final Logger LOG = Logger.getLogger(AdmissionWebhook.class);

  private final AdmissionConfig config;
  private final AdmissionReviewDecoder decoder;
  private final ChangeEvaluator evaluator;
  private final ObjectMapper mapper;
  private final AdmissionMetrics metrics;
  private final DecisionRecordWriter writer;
  private final Emitter<byte[]> deadLetters;
  private final ThreadPoolExecutor pool;
  private final ScheduledThreadPoolExecutor timer;
  private final Clock clock = Clock.systemUTC();

  /** An input the webhook will not judge: the HTTP status and the JSON error's code and text. */
  public record Rejection(int status, String code, String message) {}

  /** Either an answer for the API server or a rejection of the input. */
  public record Reply(AdmissionAnswer answer, Rejection rejection) {}

  @Inject
  public AdmissionWebhook(
      AdmissionConfig config,
      ChangeEvaluator evaluator,
      ObjectMapper mapper,
      AdmissionMetrics metrics,
      DecisionRecordWriter writer,
      @Channel(OutputChannels.DEAD_LETTER_OUT)
          @OnOverflow(
              value = OnOverflow.Strategy.BUFFER,
              bufferSize = OutputChannels.EMITTER_BUFFER)
          Emitter<byte[]> deadLetters) {
    if (config.budget().isNegative() || config.budget().isZero()) {
      throw new IllegalStateException(
          "portcullis.admission.budget="
              + config.budget()
              + ": the time to answer must be positive");
    }
    if (config.maxBytes() <= 0) {
      throw new IllegalStateException(
          "portcullis.admission.max-bytes=" + config.maxBytes() + ": must be positive");
    }
    this.config = config;
    this.decoder = new AdmissionReviewDecoder(mapper, config.maxBytes());
    this.evaluator = evaluator;
    this.mapper = mapper;
    this.metrics = metrics;
    this.writer = writer;
    this.deadLetters = deadLetters;
    int threads = Math.max(1, config.threads());
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(Math.max(1, config.maxQueued())),
            named("portcullis-admission-"));
    this.timer = new ScheduledThreadPoolExecutor(1, named("portcullis-admission-budget-"));
    this.timer.setRemoveOnCancelPolicy(true);
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The largest review accepted, in bytes. */
  public int maxBytes() {
    return decoder.maxBytes();
  }

  /**
   * Answers one review. Never completes exceptionally: every failure becomes the failure answer or
   * a rejection.
   *
   * @param arrivalNanos {@link System#nanoTime()} when the request arrived; the budget counts from
   *     there
   */
  public CompletionStage<Reply> review(byte[] body, long arrivalNanos) {
    Instant now = clock.instant();
    AdmissionReviewDecoder.Request request;
    try {
      request = decoder.decode(body, now);
    } catch (InvalidEventException e) {
      return CompletableFuture.completedFuture(reject(e, arrivalNanos));
    } catch (RuntimeException e) {
      // Never a 5xx for input: whatever the decoder trips over is the review's problem to report.
      LOG.warnf(e, "Admission review could not be read");
      return CompletableFuture.completedFuture(
          reject(
              400,
              InvalidEventException.INVALID_RECORD,
              "the AdmissionReview could not be read: " + e.getClass().getSimpleName(),
              arrivalNanos));
    }
    Pending pending = new Pending(request, arrivalNanos);
    long left = config.budget().toNanos() - (System.nanoTime() - arrivalNanos);
    pending.deadline =
        timer.schedule(
            () -> pending.give(failure(request.uid(), AdmissionAnswer.TIMEOUT)),
            Math.max(0, left),
            TimeUnit.NANOSECONDS);
    try {
      pool.execute(() -> judge(pending, now));
    } catch (RejectedExecutionException e) {
      LOG.warnf("Admission review %s not judged: the evaluation queue is full", request.uid());
      pending.give(failure(request.uid(), AdmissionAnswer.OVERLOADED));
    }
    return pending.answer.thenApply(a -> new Reply(a, null));
  }

  /** Rejects an input the webhook will not judge, counted as an error. */
  public Reply reject(int status, String code, String message, long arrivalNanos) {
    metrics.error(code);
    metrics.answered(AdmissionAnswer.Result.ERROR, since(arrivalNanos));
    return new Reply(null, new Rejection(status, code, message));
  }

  private Reply reject(InvalidEventException e, long arrivalNanos) {
    int status = InvalidEventException.TOO_LARGE.equals(e.reason()) ? 413 : 400;
    LOG.debugf("Admission review rejected (%s): %s", e.reason(), e.getMessage());
    return reject(status, e.reason(), e.getMessage(), arrivalNanos);
  }

  private AdmissionAnswer failure(String uid, String reason) {
    return AdmissionAnswer.failure(uid, config.onFailure(), reason, config.budget());
  }

  /** Runs on the pool: evaluates, answers if still in time, and records. */
  private void judge(Pending p, Instant now) {
    try {
      evaluateAndRecord(p, now);
    } catch (RuntimeException e) {
      LOG.errorf(e, "Admission review %s failed after its evaluation", p.request.uid());
      p.give(failure(p.request.uid(), AdmissionAnswer.EVALUATION_ERROR));
    }
  }

  private void evaluateAndRecord(Pending p, Instant now) {
    AdmissionReviewDecoder.Request request = p.request;
    DecisionRecord record;
    try {
      // Never recordsState: the change has not happened yet, and may still be denied.
      record = evaluator.evaluate(request.asApplied(), now, false);
    } catch (RuntimeException e) {
      LOG.warnf("Policies could not evaluate admission review %s: %s", request.uid(), e);
      p.give(failure(request.uid(), AdmissionAnswer.EVALUATION_ERROR));
      if (!request.dryRun()) {
        deadLetter(request, e);
      }
      return;
    }
    AdmissionAnswer given = p.give(AdmissionAnswer.of(request.uid(), record, config.maxWarnings()));
    for (Decision d : record.decisions()) {
      metrics.decision(d.policy(), d.action().wireName());
    }
    if (given.failure() != null) {
      LOG.warnf(
          "Admission review %s was judged after the failure answer (%s) had been given",
          request.uid(), given.failure());
    }
    if (request.dryRun()) {
      metrics.record("skipped-dry-run");
    } else if (config.record()) {
      write(toRecord(record, given));
    }
  }

  /** The audit-trail record of a review: what the policies found, and what the API server heard. */
  DecisionRecord toRecord(DecisionRecord judged, AdmissionAnswer given) {
    List<Decision> decisions = new ArrayList<>();
    if (given.failure() != null) {
      decisions.add(
          new Decision(
              FAILURE_POLICY,
              Enforcement.AUDIT,
              Enforcement.AUDIT,
              Severity.MEDIUM,
              "Portcullis answered this review by its failure policy ("
                  + (given.allowed() ? "allowed" : "denied")
                  + ", "
                  + given.failure()
                  + "); the findings recorded here came too late to decide it",
              "Admission answered by the failure policy",
              null,
              null,
              Map.of("failure", given.failure(), "allowed", given.allowed())));
    }
    decisions.addAll(judged.decisions());
    Outcome outcome =
        given.allowed()
            ? new Outcome(null, null, null, null, false, AdmissionReviewDecoder.STAGE)
            : new Outcome(
                false,
                given.statusCode() == 403 ? "Forbidden" : "ServiceUnavailable",
                given.message(),
                given.statusCode(),
                false,
                AdmissionReviewDecoder.STAGE);
    return new DecisionRecord(
        judged.eventId(),
        SOURCE,
        judged.eventTime(),
        judged.eventTimeEstimated(),
        judged.receivedAt(),
        judged.decidedAt(),
        judged.actor(),
        judged.action(),
        judged.service(),
        judged.target(),
        outcome,
        judged.policyVersion(),
        decisions);
  }

  private void write(DecisionRecord record) {
    writer
        .write(record)
        .whenComplete(
            (ok, t) -> {
              if (t != null) {
                metrics.record("failed");
                LOG.errorf(t, "The admission decision record %s was not written", record.eventId());
              } else {
                metrics.record("written");
              }
            });
  }

  private void deadLetter(AdmissionReviewDecoder.Request request, RuntimeException cause) {
    byte[] payload;
    try {
      payload = mapper.writeValueAsBytes(request.event().getRaw()); // already without secrets
    } catch (JsonProcessingException e) {
      payload = new byte[0];
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add(
        "dead-letter-reason",
        ("admission review " + request.uid() + " could not be evaluated: " + cause)
            .getBytes(StandardCharsets.UTF_8));
    headers.add(
        "dead-letter-code", OutputChannels.EVALUATION_ERROR.getBytes(StandardCharsets.UTF_8));
    headers.add("dead-letter-location", "admission".getBytes(StandardCharsets.UTF_8));
    Message<byte[]> out =
        Message.of(payload)
            .addMetadata(
                OutgoingKafkaRecordMetadata.builder()
                    .withKey(request.uid().getBytes(StandardCharsets.UTF_8))
                    .withHeaders(headers)
                    .build());
    KafkaSend.send(deadLetters, out)
        .whenComplete(
            (ok, t) -> {
              if (t != null) {
                LOG.errorf(t, "The dead letter of admission review %s was lost", request.uid());
              }
            });
  }

  private static Duration since(long arrivalNanos) {
    return Duration.ofNanos(System.nanoTime() - arrivalNanos);
  }

  @PreDestroy
  void close() {
    timer.shutdownNow();
    pool.shutdown();
  }

  /** One review on its way: exactly one answer is given, by the evaluation or the deadline. */
  private final class Pending {
    final AdmissionReviewDecoder.Request request;
    final long arrivalNanos;
    final AtomicReference<AdmissionAnswer> given = new AtomicReference<>();
    final CompletableFuture<AdmissionAnswer> answer = new CompletableFuture<>();
    volatile ScheduledFuture<?> deadline;

    Pending(AdmissionReviewDecoder.Request request, long arrivalNanos) {
      this.request = request;
      this.arrivalNanos = arrivalNanos;
    }

    /** Offers an answer; returns the one actually given (this one, or an earlier one). */
    AdmissionAnswer give(AdmissionAnswer a) {
      if (!given.compareAndSet(null, a)) {
        return given.get();
      }
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
      if (a.failure() != null) {
        metrics.error(a.failure());
      }
      metrics.answered(a.result(), since(arrivalNanos));
      answer.complete(a);
      return a;
    }
  }
}
