package dev.portcullis.event;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads the timestamps real events carry. CloudTrail and the Kubernetes API server write RFC 3339
 * ({@code 2024-07-30T21:31:21Z}); exports and test fixtures also use {@code 2024-07-30 21:31:21},
 * with up to nine fraction digits and with or without a zone. A time without a zone is UTC.
 */
public final class EventTimes {

  /**
   * How far ahead of this machine's clock an event time may be and still move a watermark. Clocks
   * drift by seconds; an event time further ahead is a wrong clock or a forged record, and trusting
   * it would make every event-time window look over at once (every remembered id forgotten, every
   * waiting DNS mirror overdue).
   */
  public static final Duration MAX_AHEAD = Duration.ofMinutes(5);

  private EventTimes() {}

  /**
   * The event time as far as a watermark may trust it: {@code eventTime}, but no later than {@link
   * #MAX_AHEAD} past {@code now}. The event itself keeps its own time; only windows are protected.
   */
  public static Instant forWatermark(Instant eventTime, Instant now) {
    Instant latest = now.plus(MAX_AHEAD);
    return eventTime.isAfter(latest) ? latest : eventTime;
  }

  /** The instant written in {@code text}, or empty when it is no timestamp we know. */
  public static Optional<Instant> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim();
    if (t.length() < 11 || !Character.isDigit(t.charAt(0))) {
      return Optional.empty();
    }
    if (t.charAt(10) == ' ') {
      // The space-separated form is RFC 3339 with another separator; every other part is the same.
      t = t.substring(0, 10) + 'T' + t.substring(11);
    }
    try {
      return Optional.of(OffsetDateTime.parse(t).toInstant());
    } catch (DateTimeParseException ignored) {
      // not RFC 3339 with an offset; it may have no zone at all
    }
    try {
      return Optional.of(LocalDateTime.parse(t).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException ignored) {
      return Optional.empty();
    }
  }
}
