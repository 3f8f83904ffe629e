package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.alert.AlertState.Obligation;
import dev.portcullis.ingest.InFlightGate;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumer of the pending-alerts topic (its own consumer group): de-duplicates each pending alert
 * against its problem's state ({@link Deduplicator}), hands the deliveries it asks for to the
 * sinks' workers, and acknowledges it (so its offset may be committed) only once every one of those
 * sinks acknowledged and the new state is written. A sink that is down holds back only the commits
 * of the alerts it owes; the other sinks go on. After a crash the uncommitted alerts are read
 * again: the state says which deliveries were already made, so nobody is paged twice.
 */
@ApplicationScoped
public class AlertDelivery {

  /** Incoming channel of pending alerts. */
  public static final String ALERTS_IN = "alerts-in";

  private static final Logger LOG = Logger.getLogger(AlertDelivery.class);

  private final AlertBootstrap bootstrap;
  private final AlertSinks sinks;
  private final AlertMetrics metrics;
  private final AlertDeadLetters deadLetters;
  private final AlertConfig config;
  private final ObjectMapper json;
  private final InFlightGate limit;
  private final Clock clock = Clock.systemUTC();

  @Inject
  public AlertDelivery(
      AlertBootstrap bootstrap,
      AlertSinks sinks,
      AlertMetrics metrics,
      AlertDeadLetters deadLetters,
      AlertConfig config,
      ObjectMapper json) {
    this.bootstrap = bootstrap;
    this.sinks = sinks;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
    this.config = config;
    this.json = json;
    this.limit = new InFlightGate(config.maxInFlight());
  }

  @Incoming(ALERTS_IN)
  public CompletionStage<Void> onPendingAlert(Message<byte[]> record) {
    AlertStateStore store = bootstrap.store();
    if (!store.ready().isDone()) {
      // Nothing is decided before the state of earlier alerts is known.
      return store.ready().thenCompose(v -> onPendingAlert(record));
    }
    limit.acquire();
    CompletableFuture<Void> done;
    try {
      done = handle(record, store);
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    done.whenComplete(
        (ok, err) -> {
          limit.release();
          if (err == null) {
            record.ack();
          } else if (isRevoked(err)) {
            LOG.debugf("A pending alert's partition was revoked; its new owner delivers it");
          } else {
            LOG.errorf(err, "Could not record a pending alert; it will be read again");
            record.nack(err);
          }
        });
    return limit.awaitRoom();
  }

  @SuppressWarnings("unchecked")
  private CompletableFuture<Void> handle(Message<byte[]> record, AlertStateStore store) {
    IncomingKafkaRecordMetadata<Object, ?> meta =
        record.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
    int partition = meta == null ? -1 : meta.getPartition();
    long offset = meta == null ? -1 : meta.getOffset();
    Object rawKey = meta == null ? null : meta.getKey();
    PendingAlert alert;
    try {
      alert = json.readValue(record.getPayload(), PendingAlert.class);
    } catch (Exception e) {
      return invalid(record, rawKey, "not a pending alert: " + e.getMessage());
    }
    String key = alert.dedupKey() != null ? alert.dedupKey() : rawKey == null ? null : rawKey + "";
    if (key == null || key.isBlank() || alert.kind() == null) {
      return invalid(record, rawKey, "a pending alert needs a kind and a dedup key");
    }
    if (alert.dedupKey() == null) {
      alert = withKey(alert, key);
    }
    PendingAlert a = alert;
    Duration window = a.window() != null ? a.window() : config.dedupWindow();
    Deduplicator.Step[] step = new Deduplicator.Step[1];
    CompletableFuture<Void> written =
        store.update(
            key,
            cur -> {
              step[0] =
                  Deduplicator.apply(
                      cur, a, partition, offset, window, sinks::route, clock.instant());
              return step[0].next();
            });
    Deduplicator.Step s = step[0];
    metrics.dedup(s.outcome());
    if (s.outcome() == Deduplicator.Outcome.PAGE) {
      LOG.infof(
          "Alert %s (%s on %s): paging %s",
          key.substring(0, Math.min(12, key.length())),
          a.policy(),
          a.targetRef(),
          s.deliver().isEmpty() ? "no sink" : s.deliver().stream().map(Obligation::sink).toList());
    }
    List<CompletableFuture<Void>> work = new ArrayList<>();
    work.add(written);
    for (Obligation o : s.deliver()) {
      work.add(written.thenCompose(v -> deliver(store, key, o, s.next(), partition)));
    }
    return CompletableFuture.allOf(work.toArray(CompletableFuture[]::new));
  }

  /** Makes one owed delivery, then records that it was made. */
  private CompletableFuture<Void> deliver(
      AlertStateStore store, String key, Obligation o, AlertState state, int partition) {
    SinkWorker w = sinks.worker(o.sink());
    if (w == null) {
      // The sink was removed from the configuration since: the delivery can no longer be made.
      LOG.warnf(
          "Alert %s: sink %s is no longer configured; its %s is dropped",
          key.substring(0, Math.min(12, key.length())), o.sink(), o.kind().wireName());
      metrics.delivery(o.sink(), o.kind(), "unconfigured");
      return store.update(key, cur -> cur == null ? null : cur.delivered(o, clock.instant()));
    }
    return w.submit(new Notification(o.kind(), state), partition)
        .thenCompose(
            v -> store.update(key, cur -> cur == null ? null : cur.delivered(o, clock.instant())));
  }

  private CompletableFuture<Void> invalid(Message<byte[]> record, Object key, String why) {
    LOG.warnf("Pending alert dead-lettered: %s", why);
    metrics.invalid(AlertDeadLetters.INVALID_ALERT);
    return deadLetters.write(
        key == null ? null : String.valueOf(key),
        record.getPayload(),
        AlertDeadLetters.INVALID_ALERT,
        why,
        Map.of());
  }

  private static boolean isRevoked(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DeliveryRevoked) {
        return true;
      }
    }
    return false;
  }

  private static PendingAlert withKey(PendingAlert a, String key) {
    return new PendingAlert(
        a.kind(),
        key,
        a.policy(),
        a.title(),
        a.severity(),
        a.action(),
        a.verdict(),
        a.summary(),
        a.runbook(),
        a.rule(),
        a.details(),
        a.owner(),
        a.tags(),
        a.dedupWindow(),
        a.eventId(),
        a.source(),
        a.eventTime(),
        a.change(),
        a.service(),
        a.actor(),
        a.targetRef(),
        a.target(),
        a.reason());
  }

  /** Forgets the deliveries of partitions another instance now owns. */
  void revoked(List<Integer> partitions) {
    sinks.generations().revoke(partitions);
  }
}
