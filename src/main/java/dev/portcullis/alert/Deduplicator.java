package dev.portcullis.alert;

import dev.portcullis.alert.AlertState.Obligation;
import dev.portcullis.alert.AlertState.Status;
import dev.portcullis.alert.PendingAlert.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Decides what one pending alert does to its problem's state, and which sinks must hear of it.
 * Pure: no I/O, no clock (the caller passes wall time for bookkeeping only). Windows are judged in
 * event time, so replaying the same decisions gives the same pages.
 *
 * <ul>
 *   <li>A trigger with no open window pages: a new window of the policy's dedup window opens at its
 *       event time and every routed sink is owed the trigger.
 *   <li>A trigger inside an open window is a repeat: the count and the last time change, nobody is
 *       paged.
 *   <li>A trigger no later than the resolve of its problem is stale (it arrived late) and ignored.
 *   <li>A resolve of an open problem is owed to the sinks the page went to; of anything else, it is
 *       a no-op.
 *   <li>A pending alert read a second time (after a crash or a rebalance) changes nothing; only the
 *       deliveries it asked for that are still owed are made again.
 * </ul>
 */
public final class Deduplicator {

  /** What a pending alert turned out to be; also a bounded metric tag. */
  public enum Outcome {
    PAGE("page"),
    REPEAT("repeat"),
    STALE("stale"),
    RESOLVE("resolve"),
    NOT_OPEN("not-open"),
    REDELIVERED("redelivered"),
    ALREADY_APPLIED("already-applied");

    public final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }
  }

  /**
   * The result.
   *
   * @param outcome what the alert was
   * @param next the state to keep (null: unchanged and none before)
   * @param deliver the deliveries to make now
   */
  public record Step(Outcome outcome, AlertState next, List<Obligation> deliver) {}

  private Deduplicator() {}

  /**
   * @param current the problem's state, or null
   * @param alert the pending alert read
   * @param partition its partition on the pending-alerts topic
   * @param offset its offset there
   * @param window the dedup window for a new page
   * @param route the sinks a new page goes to
   * @param now wall time, recorded as the state's update time
   */
  public static Step apply(
      AlertState current,
      PendingAlert alert,
      int partition,
      long offset,
      Duration window,
      Function<PendingAlert, List<String>> route,
      Instant now) {
    if (current != null
        && offset >= 0
        && current.partition() == partition
        && offset <= current.lastOffset()) {
      List<Obligation> again = current.owed().stream().filter(o -> o.offset() == offset).toList();
      return again.isEmpty()
          ? new Step(Outcome.ALREADY_APPLIED, current, List.of())
          : new Step(Outcome.REDELIVERED, current, again);
    }
    Instant at = alert.eventTime() != null ? alert.eventTime() : now;
    if (alert.kind() == Kind.RESOLVE) {
      if (current == null) {
        return new Step(Outcome.NOT_OPEN, null, List.of());
      }
      if (current.status() != Status.OPEN) {
        return new Step(Outcome.NOT_OPEN, current.withOffset(partition, offset, now), List.of());
      }
      List<Obligation> owed = new ArrayList<>();
      for (String sink : current.sinks()) {
        owed.add(new Obligation(sink, Kind.RESOLVE, offset));
      }
      return new Step(
          Outcome.RESOLVE,
          current.resolved(at, alert.reason(), owed, partition, offset, now),
          owed);
    }
    if (current != null && current.status() == Status.OPEN && at.isBefore(current.windowEnd())) {
      return new Step(Outcome.REPEAT, current.withRepeat(at, partition, offset, now), List.of());
    }
    if (current != null
        && current.status() == Status.RESOLVED
        && current.resolvedAt() != null
        && !at.isAfter(current.resolvedAt())) {
      return new Step(Outcome.STALE, current.withOffset(partition, offset, now), List.of());
    }
    List<String> sinks = route.apply(alert);
    List<Obligation> owed = new ArrayList<>();
    for (String sink : sinks) {
      owed.add(new Obligation(sink, Kind.TRIGGER, offset));
    }
    // Deliveries of an earlier window still owed stay owed: that page was not made yet.
    List<Obligation> all = new ArrayList<>(current == null ? List.of() : current.owed());
    all.addAll(owed);
    AlertState next =
        new AlertState(
            alert.dedupKey(),
            current == null ? 0 : current.version(),
            Status.OPEN,
            alert,
            at,
            at.plus(window),
            at,
            at,
            1,
            null,
            null,
            sinks,
            all,
            partition,
            offset,
            now);
    return new Step(Outcome.PAGE, next, owed);
  }
}
