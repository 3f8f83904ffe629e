package dev.portcullis.alert;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What is known about one problem (one dedup key): the page that opened its window, how many times
 * it happened since, whether it was resolved, and which deliveries are still owed to which sink.
 * Kept in memory and in the compacted state topic, one record per dedup key.
 *
 * @param dedupKey the problem's identity
 * @param version bumped on every change; a copy read back from the topic replaces the one in memory
 *     only when newer
 * @param status open or resolved
 * @param alert the trigger that paged (what sinks were told)
 * @param windowStart event time of the page
 * @param windowEnd event time from which a repeat pages again
 * @param firstSeen earliest event time of an occurrence in this window
 * @param lastSeen latest event time of an occurrence in this window
 * @param count occurrences in this window, the page included
 * @param resolvedAt event time the condition cleared
 * @param resolveReason why it cleared
 * @param sinks the sinks the page was routed to (a resolve goes to the same)
 * @param owed deliveries not yet acknowledged by their sink
 * @param partition partition of the pending-alerts topic this key lives on
 * @param lastOffset offset of the last pending alert applied, so a redelivered one is recognised
 * @param updatedAt wall time of the last change
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertState(
    String dedupKey,
    long version,
    Status status,
    PendingAlert alert,
    Instant windowStart,
    Instant windowEnd,
    Instant firstSeen,
    Instant lastSeen,
    long count,
    Instant resolvedAt,
    String resolveReason,
    List<String> sinks,
    List<Obligation> owed,
    int partition,
    long lastOffset,
    Instant updatedAt) {

  public AlertState {
    sinks = sinks == null ? List.of() : List.copyOf(sinks);
    owed = owed == null ? List.of() : List.copyOf(owed);
  }

  /** Open (paged, not resolved) or resolved. */
  public enum Status {
    OPEN,
    RESOLVED;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Status of(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  /**
   * A delivery a sink still owes: the trigger or resolve that the pending alert at {@code offset}
   * asked for.
   */
  public record Obligation(String sink, PendingAlert.Kind kind, long offset) {}

  AlertState withVersion(long v) {
    return new AlertState(
        dedupKey,
        v,
        status,
        alert,
        windowStart,
        windowEnd,
        firstSeen,
        lastSeen,
        count,
        resolvedAt,
        resolveReason,
        sinks,
        owed,
        partition,
        lastOffset,
        updatedAt);
  }

  AlertState withOffset(int partition, long offset, Instant now) {
    return new AlertState(
        dedupKey,
        version,
        status,
        alert,
        windowStart,
        windowEnd,
        firstSeen,
        lastSeen,
        count,
        resolvedAt,
        resolveReason,
        sinks,
        owed,
        partition,
        offset,
        now);
  }

  AlertState withRepeat(Instant at, int partition, long offset, Instant now) {
    Instant first = firstSeen == null || at.isBefore(firstSeen) ? at : firstSeen;
    Instant last = lastSeen == null || at.isAfter(lastSeen) ? at : lastSeen;
    return new AlertState(
        dedupKey,
        version,
        status,
        alert,
        windowStart,
        windowEnd,
        first,
        last,
        count + 1,
        resolvedAt,
        resolveReason,
        sinks,
        owed,
        partition,
        offset,
        now);
  }

  AlertState resolved(
      Instant at, String reason, List<Obligation> more, int partition, long offset, Instant now) {
    List<Obligation> all = new ArrayList<>(owed);
    all.addAll(more);
    return new AlertState(
        dedupKey,
        version,
        Status.RESOLVED,
        alert,
        windowStart,
        windowEnd,
        firstSeen,
        lastSeen,
        count,
        at,
        reason,
        sinks,
        all,
        partition,
        offset,
        now);
  }

  /** This state once a sink acknowledged one of its deliveries. */
  AlertState delivered(Obligation done, Instant now) {
    List<Obligation> left = new ArrayList<>(owed);
    if (!left.remove(done)) {
      return this;
    }
    return new AlertState(
        dedupKey,
        version,
        status,
        alert,
        windowStart,
        windowEnd,
        firstSeen,
        lastSeen,
        count,
        resolvedAt,
        resolveReason,
        sinks,
        left,
        partition,
        lastOffset,
        now);
  }
}
