package dev.portcullis.alert;

import dev.portcullis.alert.PendingAlert.Kind;
import java.time.Duration;
import java.time.Instant;

/**
 * What one sink is told: a trigger or a resolve of one problem, as its state was when the delivery
 * was decided.
 *
 * @param kind trigger or resolve
 * @param state the problem's state (its {@code alert} is the trigger that paged)
 */
public record Notification(Kind kind, AlertState state) {

  public PendingAlert alert() {
    return state.alert();
  }

  public String dedupKey() {
    return state.dedupKey();
  }

  /**
   * Stable id of this message: the same page or resolve re-sent after a crash has the same id (the
   * CloudEvents id), a page of a later window a new one.
   */
  public String id() {
    return DedupKeys.sha256(state.dedupKey() + '\n' + kind.wireName() + '\n' + state.windowStart());
  }

  /** The dedup window of the page. */
  public Duration window() {
    return state.windowStart() != null && state.windowEnd() != null
        ? Duration.between(state.windowStart(), state.windowEnd())
        : Duration.ofHours(1);
  }

  public boolean isResolve() {
    return kind == Kind.RESOLVE;
  }

  /** When it happened: the page's event time, or when the condition cleared. */
  public Instant time() {
    if (isResolve() && state.resolvedAt() != null) {
      return state.resolvedAt();
    }
    return state.windowStart();
  }
}
