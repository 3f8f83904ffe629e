package dev.portcullis.ingest;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Bounds work started but not yet acknowledged: records written to Kafka, pending alerts handed to
 * sinks. Reading pauses (the returned stage stays incomplete) while the bound is reached, and
 * resumes when half of the work is done, so a slow broker or sink slows the consumer instead of
 * filling memory. Thread-safe.
 */
public final class InFlightGate {

  private static final CompletionStage<Void> OPEN = CompletableFuture.completedFuture(null);

  private final int max;
  private int inFlight;
  private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();

  public InFlightGate(int max) {
    this.max = Math.max(1, max);
  }

  /** Completes when there is room for more records. */
  public synchronized CompletionStage<Void> awaitRoom() {
    if (inFlight < max) {
      return OPEN;
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    waiting.add(f);
    return f;
  }

  public synchronized void acquire() {
    inFlight++;
  }

  public void release() {
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

  public synchronized int inFlight() {
    return inFlight;
  }
}
