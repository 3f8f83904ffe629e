package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The timestamp forms that real events and their exports use. */
class EventTimesTest {

  @ParameterizedTest
  @CsvSource({
    "2024-07-30T21:31:21Z, 2024-07-30T21:31:21Z",
    "2024-07-30T21:31:21.5Z, 2024-07-30T21:31:21.500Z",
    "2024-07-30T21:31:21.123456Z, 2024-07-30T21:31:21.123456Z",
    "2024-07-30T21:31:21.123456789Z, 2024-07-30T21:31:21.123456789Z",
    "2024-07-30T23:31:21+02:00, 2024-07-30T21:31:21Z",
    "2024-07-30T16:31:21.25-05:00, 2024-07-30T21:31:21.250Z",
    "2024-07-30T21:31:21, 2024-07-30T21:31:21Z",
    "2024-07-30 21:31:21, 2024-07-30T21:31:21Z",
    "2024-07-30 21:31:21.38, 2024-07-30T21:31:21.380Z",
    "2024-07-30 21:31:21.123456789, 2024-07-30T21:31:21.123456789Z",
    "2024-07-30 21:31:21Z, 2024-07-30T21:31:21Z",
    "2024-07-30 21:31:21.000Z, 2024-07-30T21:31:21Z",
    "2024-07-30 23:31:21+02:00, 2024-07-30T21:31:21Z",
    "'  2024-07-30T21:31:21Z ', 2024-07-30T21:31:21Z"
  })
  void readsEveryFormat(String text, String expected) {
    assertThat(EventTimes.parse(text)).contains(Instant.parse(expected));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "...",
        "foo",
        "redacted",
        "eventTime",
        "1722375081",
        "1722375081000",
        "2024-07-30",
        "2024-13-30T21:31:21Z",
        "2024-07-30T25:31:21Z",
        "2024-07-30T21:31:21.1234567891Z",
        "30/07/2024 21:31:21",
        "Jul 30, 2024 9:31:21 PM"
      })
  void garbageIsNoTime(String text) {
    assertThat(EventTimes.parse(text)).isEmpty();
  }
}
