package dev.portcullis.event;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Optional;

/**
 * Reads the timestamps real events carry. CloudTrail and the Kubernetes API server write RFC 3339
 * ({@code 2024-07-30T21:31:21Z}); exports and test fixtures also use {@code 2024-07-30 21:31:21},
 * with up to nine fraction digits and with or without a zone. A time without a zone is UTC.
 */
public final class EventTimes {

  private static final DateTimeFormatter SPACE_SEPARATED =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .toFormatter();

  private EventTimes() {}

  /** The instant written in {@code text}, or empty when it is no timestamp we know. */
  public static Optional<Instant> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim();
    if (t.length() < 10 || !Character.isDigit(t.charAt(0))) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(t).toInstant());
    } catch (DateTimeParseException ignored) {
      // not RFC 3339 with an offset; try the other forms below
    }
    try {
      return Optional.of(LocalDateTime.parse(t).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException ignored) {
      // not ISO local
    }
    String s = t.endsWith("Z") ? t.substring(0, t.length() - 1) : t;
    try {
      return Optional.of(LocalDateTime.parse(s, SPACE_SEPARATED).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException ignored) {
      return Optional.empty();
    }
  }
}
