package dev.portcullis.ingest;

import static dev.portcullis.ingest.DeduplicationWindow.Claim.DUPLICATE;
import static dev.portcullis.ingest.DeduplicationWindow.Claim.NEW;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Second deliveries are dropped; memory is bounded by event time and by size. */
class DeduplicationWindowTest {

  static final Instant T0 = Instant.parse("2024-07-30T21:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);

  @Test
  void aSecondDeliveryIsADuplicate() {
    DeduplicationWindow w = new DeduplicationWindow(HOUR, 100);
    assertThat(w.claim("a", T0)).isEqualTo(NEW);
    assertThat(w.claim("b", T0)).isEqualTo(NEW);
    assertThat(w.claim("a", T0)).isEqualTo(DUPLICATE);
    assertThat(w.claim("a", T0.plusSeconds(5))).isEqualTo(DUPLICATE);
    assertThat(w.contains("a")).isTrue();
    assertThat(w.contains("c")).isFalse();
    assertThat(w.size()).isEqualTo(2);
  }

  @Test
  void anEventTimeFarAheadOfTheClockDoesNotMakeEveryIdForgotten() {
    Clock clock = Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC);
    DeduplicationWindow w = new DeduplicationWindow(HOUR, 100, clock);
    w.claim("a", T0);
    // A record whose clock is ten years ahead: decided, but the window does not jump with it.
    assertThat(w.claim("wrong-clock", T0.plus(Duration.ofDays(3650)))).isEqualTo(NEW);
    assertThat(w.claim("a", T0)).as("still within the window").isEqualTo(DUPLICATE);
    // Up to five minutes ahead of the clock is drift, and counts.
    DeduplicationWindow minute = new DeduplicationWindow(Duration.ofMinutes(1), 100, clock);
    minute.claim("c", T0);
    minute.claim("drift", T0.plusSeconds(30 + 300));
    assertThat(minute.contains("c")).as("more than a window past it").isFalse();
  }

  @Test
  void aReleasedIdIsDecidedAgain() {
    DeduplicationWindow w = new DeduplicationWindow(HOUR, 100);
    w.claim("a", T0);
    w.release("a");
    assertThat(w.contains("a")).isFalse();
    assertThat(w.claim("a", T0)).isEqualTo(NEW);
    assertThat(w.claim("a", T0)).isEqualTo(DUPLICATE);
    w.release("never-seen");
    assertThat(w.size()).isEqualTo(1);
  }

  @Test
  void theOldestGoFirstWhenThereAreTooMany() {
    DeduplicationWindow w = new DeduplicationWindow(HOUR, 3);
    for (int i = 0; i < 5; i++) {
      assertThat(w.claim("id-" + i, T0.plusSeconds(i))).isEqualTo(NEW);
    }
    assertThat(w.size()).isEqualTo(3);
    assertThat(w.contains("id-0")).isFalse();
    assertThat(w.contains("id-1")).isFalse();
    assertThat(w.contains("id-2")).isTrue();
    assertThat(w.contains("id-4")).isTrue();
    assertThat(w.claim("id-0", T0)).as("forgotten, so new again").isEqualTo(NEW);
  }

  @Test
  void anIdIsForgottenOnceTheNewestEventIsMoreThanTheWindowPastIt() {
    DeduplicationWindow w = new DeduplicationWindow(HOUR, 100);
    w.claim("a", T0);
    w.claim("b", T0.plus(HOUR));
    assertThat(w.contains("a")).as("exactly one window later: still remembered").isTrue();
    w.claim("c", T0.plus(HOUR).plusMillis(1));
    assertThat(w.contains("a")).isFalse();
    assertThat(w.contains("b")).isTrue();
    assertThat(w.claim("a", T0))
        .as("a redelivery after the window is decided again")
        .isEqualTo(NEW);
  }

  @Test
  void anOlderEventDoesNotMoveTheWindowBack() {
    DeduplicationWindow w = new DeduplicationWindow(HOUR, 100);
    w.claim("new", T0.plus(HOUR.multipliedBy(3)));
    w.claim("old", T0);
    assertThat(w.contains("old")).as("already outside the window when it came").isFalse();
    assertThat(w.contains("new")).isTrue();
  }

  @Test
  void aLateEventIsForgottenOnTimeEvenBehindNewerOnes() {
    // Partitions interleave: a late event is claimed after newer ones. It must still leave the
    // window by its own event time, or a replay would remember different ids than the first run.
    DeduplicationWindow w = new DeduplicationWindow(HOUR, 100);
    w.claim("b", T0.plus(Duration.ofMinutes(50)));
    w.claim("late", T0);
    w.claim("c", T0.plus(HOUR).plusSeconds(1));
    assertThat(w.contains("late")).isFalse();
    assertThat(w.contains("b")).isTrue();
    assertThat(w.contains("c")).isTrue();
  }

  @Test
  void theSameEventsGiveTheSameAnswersWhenReplayed() {
    String[] ids = {"a", "b", "a", "c", "b", "d", "a"};
    long[] minutes = {0, 10, 20, 70, 75, 200, 201};
    StringBuilder first = new StringBuilder();
    StringBuilder replay = new StringBuilder();
    for (StringBuilder out : new StringBuilder[] {first, replay}) {
      DeduplicationWindow w = new DeduplicationWindow(HOUR, 100);
      for (int i = 0; i < ids.length; i++) {
        out.append(w.claim(ids[i], T0.plus(Duration.ofMinutes(minutes[i])))).append(' ');
      }
    }
    assertThat(first.toString()).isEqualTo("NEW NEW DUPLICATE NEW DUPLICATE NEW NEW ");
    assertThat(replay.toString()).isEqualTo(first.toString());
  }
}
