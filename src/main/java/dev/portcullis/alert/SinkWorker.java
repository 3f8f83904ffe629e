package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Delivers one sink's notifications, in the order they were queued, on a thread of its own, so a
 * sink that is down holds up only itself. Each delivery is retried with exponential backoff and
 * jitter until the sink takes it (or, when configured, until its attempts run out), behind the
 * sink's circuit breaker and rate limit. A delivery's future completes when the sink acknowledged
 * it, or when it was dead-lettered; it never completes when the worker stops first, so its pending
 * alert is not committed and is read again on the next start.
 */
final class SinkWorker implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(SinkWorker.class);

  /** One queued delivery. */
  private record Job(
      Notification notification,
      int partition,
      long generation,
      long queuedNanos,
      CompletableFuture<Void> done) {}

  /** A snapshot for health checks and the API. */
  record Health(
      String sink,
      String type,
      CircuitBreaker.State circuit,
      int consecutiveFailures,
      int backlog,
      String lastError,
      Instant lastFailure,
      Instant lastSuccess) {}

  private final HttpAlertSink sink;
  private final HttpClient http;
  private final AlertMetrics metrics;
  private final AlertDeadLetters deadLetters;
  private final ObjectMapper json;
  private final PartitionGenerations generations;
  private final Backoff backoff;
  private final CircuitBreaker breaker;
  private final RateLimiter rate;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Clock clock = Clock.systemUTC();
  private final LongSupplier nanos = System::nanoTime;
  private final Thread thread;
  private volatile boolean closed;
  private volatile int inProgress;
  private volatile String lastError;
  private volatile Instant lastFailure;
  private volatile Instant lastSuccess;

  SinkWorker(
      HttpAlertSink sink,
      HttpClient http,
      AlertMetrics metrics,
      AlertDeadLetters deadLetters,
      ObjectMapper json,
      PartitionGenerations generations) {
    this.sink = sink;
    this.http = http;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
    this.json = json;
    this.generations = generations;
    AlertConfig.Retry r = sink.settings.retry();
    this.backoff =
        new Backoff(
            r.initialBackoff(), r.maxBackoff(), () -> ThreadLocalRandom.current().nextDouble());
    this.breaker =
        new CircuitBreaker(
            sink.settings.circuit().failureThreshold(), sink.settings.circuit().openFor());
    this.rate = new RateLimiter(sink.settings.ratePerSecond(), sink.settings.burst());
    metrics.sinkGauges(
        sink.name(),
        () -> queue.size() + inProgress,
        () -> breaker.state() == CircuitBreaker.State.CLOSED ? 0 : 1);
    this.thread = new Thread(this::run, "portcullis-alert-" + sink.name());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  String name() {
    return sink.name();
  }

  HttpAlertSink sink() {
    return sink;
  }

  /**
   * Queues a delivery.
   *
   * @param partition the pending-alerts partition it came from: when that partition is revoked, the
   *     delivery is dropped (the partition's new owner makes it)
   */
  CompletableFuture<Void> submit(Notification n, int partition) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Job(n, partition, generations.current(partition), nanos.getAsLong(), done));
    return done;
  }

  Health health() {
    return new Health(
        sink.name(),
        sink.type(),
        breaker.state(),
        breaker.consecutiveFailures(),
        queue.size() + inProgress,
        lastError,
        lastFailure,
        lastSuccess);
  }

  private void run() {
    while (!closed) {
      Job job;
      try {
        job = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      inProgress = 1;
      try {
        deliver(job);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // A bug here must not kill the worker: the delivery stays owed and is retried on restart.
        LOG.errorf(e, "Alert sink %s: unexpected failure", sink.name());
      } finally {
        inProgress = 0;
      }
    }
  }

  private void deliver(Job job) throws InterruptedException {
    Notification n = job.notification();
    int attempt = 0;
    while (!closed) {
      if (generations.current(job.partition()) != job.generation()) {
        metrics.delivery(sink.name(), n.kind(), "cancelled");
        job.done().completeExceptionally(new DeliveryRevoked(sink.name()));
        return; // the partition moved to another consumer, which delivers it
      }
      long wait = breaker.waitNanos(nanos.getAsLong());
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
        continue; // re-check cancellation at least once a second
      }
      long paced = rate.reserve(nanos.getAsLong());
      if (paced > 0) {
        TimeUnit.NANOSECONDS.sleep(paced);
      }
      attempt++;
      HttpAlertSink.Result r = call(n);
      switch (r.verdict()) {
        case DELIVERED -> {
          breaker.success();
          lastSuccess = clock.instant();
          metrics.delivery(sink.name(), n.kind(), "delivered");
          metrics.delivered(sink.name(), Duration.ofNanos(nanos.getAsLong() - job.queuedNanos()));
          if (attempt > 1) {
            LOG.infof(
                "Alert sink %s: delivered %s of %s after %d attempts",
                sink.name(), n.kind().wireName(), n.dedupKey(), attempt);
          }
          job.done().complete(null);
          return;
        }
        case REJECTED -> {
          // The sink is up and said no: not a reason to open the circuit.
          breaker.success();
          metrics.delivery(sink.name(), n.kind(), "rejected");
          LOG.errorf(
              "Alert sink %s rejected the %s of %s (%s); written to the dead-letter topic",
              sink.name(), n.kind().wireName(), n.dedupKey(), r.detail());
          deadLetter(job, AlertDeadLetters.REJECTED, r.detail());
          return;
        }
        case RETRY -> {
          lastError = r.detail();
          lastFailure = clock.instant();
          boolean wasClosed = breaker.state() == CircuitBreaker.State.CLOSED;
          breaker.failure(nanos.getAsLong());
          boolean opened = wasClosed && breaker.state() == CircuitBreaker.State.OPEN;
          metrics.delivery(sink.name(), n.kind(), "failed");
          int max = sink.settings.retry().maxAttempts();
          if (max > 0 && attempt >= max) {
            metrics.delivery(sink.name(), n.kind(), "gave-up");
            LOG.errorf(
                "Alert sink %s: giving up the %s of %s after %d attempts (%s); written to the"
                    + " dead-letter topic",
                sink.name(), n.kind().wireName(), n.dedupKey(), attempt, r.detail());
            deadLetter(job, AlertDeadLetters.GAVE_UP, r.detail());
            return;
          }
          Duration delay = backoff.delay(attempt);
          if (r.retryAfter() != null && r.retryAfter().compareTo(delay) > 0) {
            delay = r.retryAfter();
          }
          if (opened) {
            LOG.warnf(
                "Alert sink %s is failing (%s): circuit open, next try in %s; alerts wait",
                sink.name(), r.detail(), sink.settings.circuit().openFor());
          }
          if (breaker.state() != CircuitBreaker.State.OPEN) {
            LOG.debugf(
                "Alert sink %s: attempt %d failed (%s); retry in %d ms",
                sink.name(), attempt, r.detail(), delay.toMillis());
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
          }
        }
      }
    }
  }

  private HttpAlertSink.Result call(Notification n) {
    HttpRequest req;
    try {
      req = sink.request(n, clock.instant());
    } catch (Exception e) {
      // Rendering failed: no retry renders it differently.
      return new HttpAlertSink.Result(
          HttpAlertSink.Verdict.REJECTED, 0, null, "could not render: " + e);
    }
    // The request timeout ends at the answer's headers; the overall wait also bounds its body.
    CompletableFuture<HttpResponse<String>> call =
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    try {
      HttpResponse<String> resp =
          call.get(sink.settings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
      return sink.classify(resp);
    } catch (TimeoutException e) {
      call.cancel(true);
      return retry("timed out after " + sink.settings.timeout());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof HttpTimeoutException) {
        return retry("timed out after " + sink.settings.timeout());
      }
      // The exception class says enough (connection refused, reset); messages may hold the URL.
      return retry("no answer: " + cause.getClass().getSimpleName());
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      return retry("interrupted");
    }
  }

  private static HttpAlertSink.Result retry(String detail) {
    return new HttpAlertSink.Result(HttpAlertSink.Verdict.RETRY, 0, null, detail);
  }

  private void deadLetter(Job job, String code, String reason) {
    Notification n = job.notification();
    byte[] payload;
    try {
      payload = json.writeValueAsBytes(n.alert());
    } catch (Exception e) {
      payload = new byte[0];
    }
    deadLetters
        .write(
            n.dedupKey(),
            payload,
            code,
            reason,
            Map.of("dead-letter-sink", sink.name(), "dead-letter-kind", n.kind().wireName()))
        .whenComplete((ok, err) -> job.done().complete(null));
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
