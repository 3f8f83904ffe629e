package dev.portcullis.alert;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Bounds the pending alerts read but not yet acknowledged: reading pauses (the returned stage stays
 * incomplete) at the bound and resumes when half are done, so a long sink outage fills neither
 * memory nor the queue of the sinks that work. Thread-safe.
 */
final class InFlightLimit {

  private static final CompletionStage<Void> OPEN = CompletableFuture.completedFuture(null);

  private final int max;
  private int inFlight;
  private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();

  InFlightLimit(int max) {
    this.max = Math.max(1, max);
  }

  synchronized CompletionStage<Void> awaitRoom() {
    if (inFlight < max) {
      return OPEN;
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    waiting.add(f);
    return f;
  }

  synchronized void acquire() {
    inFlight++;
  }

  void release() {
    ArrayDeque<CompletableFuture<Void>> wake = null;
    synchronized (this) {
      inFlight--;
      if (!waiting.isEmpty() && inFlight <= max / 2) {
        wake = new ArrayDeque<>(waiting);
        waiting.clear();
      }
    }
    if (wake != null) {
      wake.forEach(f -> f.complete(null));
    }
  }
}
