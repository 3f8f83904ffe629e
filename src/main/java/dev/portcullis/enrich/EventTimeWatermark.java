package dev.portcullis.enrich;

import dev.portcullis.event.EventTimes;
import java.time.Clock;
import java.time.Instant;

/**
 * The newest CloudTrail event time a share of the stream has seen: what says that a change waiting
 * for its counterpart (a DNS mirror) has waited long enough in event time. On the stream there is
 * one per partition of the changes topic (so 1, 2 or 3 instances see the same watermark for the
 * same events) and it is kept with that partition's state; a policy test case has one of its own.
 *
 * <p>A time far ahead of the clock counts only as far as {@link EventTimes#forWatermark} allows, so
 * one record with a wrong clock does not make every waiting change overdue. Thread-safe.
 */
public final class EventTimeWatermark {

  private final Clock clock;
  private Instant newest;

  public EventTimeWatermark() {
    this(Clock.systemUTC(), null);
  }

  public EventTimeWatermark(Clock clock, Instant newest) {
    this.clock = clock;
    this.newest = newest;
  }

  /** An event of the stream with this event time was seen. */
  public synchronized void observe(Instant eventTime) {
    Instant t = EventTimes.forWatermark(eventTime, clock.instant());
    if (newest == null || t.isAfter(newest)) {
      newest = t;
    }
  }

  /** The newest event time seen; null before the first event. */
  public synchronized Instant newest() {
    return newest;
  }
}
