package dev.portcullis.ingest;

import dev.portcullis.event.ChangeEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Holds a Kubernetes {@code RequestReceived} (or {@code ResponseStarted}) stage until the final
 * stage of the same request arrives in a later record, so that the request is decided once, on its
 * outcome. A stage nobody completes is handed back after the wait and decided on its own. Its input
 * record stays unacknowledged meanwhile, so nothing is committed that was not decided. Thread-safe.
 */
final class StageHold implements AutoCloseable {

  /** A parked stage: the event, what to acknowledge when decided, and its timeout. */
  static final class Parked {
    final ChangeEvent event;
    final Object context;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    ScheduledFuture<?> timeout;

    Parked(ChangeEvent event, Object context) {
      this.event = event;
      this.context = context;
    }
  }

  private final Map<String, Parked> parked = new HashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "portcullis-stage-hold");
            t.setDaemon(true);
            return t;
          });

  /**
   * Parks a preliminary stage, or returns null when one of the same request is already parked.
   *
   * @param onTimeout called with the parked stage when no final stage took it within {@code wait}
   * @return completes once the request has been decided (by either stage)
   */
  synchronized CompletableFuture<Void> park(
      ChangeEvent event, Object context, Duration wait, Consumer<Parked> onTimeout) {
    if (parked.containsKey(event.getId())) {
      return null;
    }
    Parked p = new Parked(event, context);
    parked.put(event.getId(), p);
    p.timeout =
        timer.schedule(
            () -> {
              if (remove(event.getId(), p)) {
                onTimeout.accept(p);
              }
            },
            wait.toMillis(),
            TimeUnit.MILLISECONDS);
    return p.done;
  }

  /** Takes the parked stage of a request, cancelling its timeout; null when none is parked. */
  synchronized Parked take(String id) {
    Parked p = parked.remove(id);
    if (p != null) {
      p.timeout.cancel(false);
    }
    return p;
  }

  private synchronized boolean remove(String id, Parked p) {
    return parked.remove(id, p);
  }

  synchronized int size() {
    return parked.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
