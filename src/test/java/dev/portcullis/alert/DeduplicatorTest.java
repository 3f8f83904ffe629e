package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.alert.AlertState.Obligation;
import dev.portcullis.alert.AlertState.Status;
import dev.portcullis.alert.Deduplicator.Outcome;
import dev.portcullis.alert.Deduplicator.Step;
import dev.portcullis.alert.PendingAlert.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {

  static final Instant T0 = Instant.parse("2026-11-20T09:14:02Z");
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  static final List<String> SINKS = List.of("pagerduty", "slack");

  /** Applies like the store does: the next state gets the next version. */
  static Step apply(AlertState cur, PendingAlert a, long offset) {
    Step s = Deduplicator.apply(cur, a, 0, offset, HOUR, x -> SINKS, NOW);
    if (s.next() != null && s.next() != cur) {
      return new Step(
          s.outcome(), s.next().withVersion((cur == null ? 0 : cur.version()) + 1), s.deliver());
    }
    return s;
  }

  @Test
  void theFirstTriggerPagesEveryRoutedSinkAndOpensAWindowInEventTime() {
    Step s = apply(null, Alerts.trigger("t1", T0), 7);

    assertThat(s.outcome()).isEqualTo(Outcome.PAGE);
    assertThat(s.deliver())
        .containsExactly(
            new Obligation("pagerduty", Kind.TRIGGER, 7), new Obligation("slack", Kind.TRIGGER, 7));
    assertThat(s.next().status()).isEqualTo(Status.OPEN);
    assertThat(s.next().windowStart()).isEqualTo(T0);
    assertThat(s.next().windowEnd()).isEqualTo(T0.plus(HOUR));
    assertThat(s.next().count()).isEqualTo(1);
    assertThat(s.next().owed()).isEqualTo(s.deliver());
    assertThat(s.next().sinks()).isEqualTo(SINKS);
  }

  @Test
  void twentyRepeatsInsideTheWindowAreOnePageWithACountAndTheLastTime() {
    Step s = apply(null, Alerts.trigger("t1", T0), 0);
    int pages = 1;
    for (int i = 1; i < 20; i++) {
      s = apply(s.next(), Alerts.trigger("t1", T0.plusSeconds(60L * i)), i);
      if (s.outcome() == Outcome.PAGE) {
        pages++;
      }
      assertThat(s.deliver()).isEmpty();
    }
    assertThat(pages).isEqualTo(1);
    assertThat(s.outcome()).isEqualTo(Outcome.REPEAT);
    assertThat(s.next().count()).isEqualTo(20);
    assertThat(s.next().firstSeen()).isEqualTo(T0);
    assertThat(s.next().lastSeen()).isEqualTo(T0.plusSeconds(60L * 19));
    assertThat(s.next().windowEnd()).isEqualTo(T0.plus(HOUR)); // repeats do not extend it
  }

  @Test
  void aTriggerAtOrAfterTheEndOfTheWindowPagesAgain() {
    Step first = apply(null, Alerts.trigger("t1", T0), 0);
    Step late = apply(first.next(), Alerts.trigger("t1", T0.plus(HOUR)), 1);

    assertThat(late.outcome()).isEqualTo(Outcome.PAGE);
    assertThat(late.next().windowStart()).isEqualTo(T0.plus(HOUR));
    assertThat(late.next().count()).isEqualTo(1);
  }

  @Test
  void anOutOfOrderRepeatMovesFirstSeenBack() {
    Step first = apply(null, Alerts.trigger("t1", T0), 0);
    Step early = apply(first.next(), Alerts.trigger("t1", T0.minusSeconds(30)), 1);

    assertThat(early.outcome()).isEqualTo(Outcome.REPEAT);
    assertThat(early.next().firstSeen()).isEqualTo(T0.minusSeconds(30));
    assertThat(early.next().lastSeen()).isEqualTo(T0);
  }

  @Test
  void aResolveIsOwedToTheSinksThatWerePagedEvenIfTheRoutesChangedSince() {
    Step page = apply(null, Alerts.trigger("t1", T0), 0);
    Step resolve =
        Deduplicator.apply(
            page.next(),
            PendingAlert.resolve(page.next().dedupKey(), "trail logging again", T0.plusSeconds(90)),
            0,
            1,
            HOUR,
            x -> List.of("webhook"),
            NOW);

    assertThat(resolve.outcome()).isEqualTo(Outcome.RESOLVE);
    assertThat(resolve.deliver())
        .containsExactly(
            new Obligation("pagerduty", Kind.RESOLVE, 1), new Obligation("slack", Kind.RESOLVE, 1));
    assertThat(resolve.next().status()).isEqualTo(Status.RESOLVED);
    assertThat(resolve.next().resolveReason()).isEqualTo("trail logging again");
    assertThat(resolve.next().resolvedAt()).isEqualTo(T0.plusSeconds(90));
    // The trigger is still owed too (not yet acknowledged): it goes first, then the resolve.
    assertThat(resolve.next().owed()).hasSize(4);
  }

  @Test
  void aResolveOfNothingOpenIsANoOp() {
    Step none = apply(null, PendingAlert.resolve("abc", "gone", T0), 0);
    assertThat(none.outcome()).isEqualTo(Outcome.NOT_OPEN);
    assertThat(none.next()).isNull();
    assertThat(none.deliver()).isEmpty();

    Step page = apply(null, Alerts.trigger("t1", T0), 0);
    Step once = apply(page.next(), PendingAlert.resolve(page.next().dedupKey(), "a", T0), 1);
    Step twice = apply(once.next(), PendingAlert.resolve(page.next().dedupKey(), "b", T0), 2);
    assertThat(twice.outcome()).isEqualTo(Outcome.NOT_OPEN);
    assertThat(twice.deliver()).isEmpty();
    assertThat(twice.next().resolveReason()).isEqualTo("a");
  }

  @Test
  void aTriggerThatHappenedBeforeTheResolveIsStaleAndOneAfterPagesAgain() {
    Step page = apply(null, Alerts.trigger("t1", T0), 0);
    String key = page.next().dedupKey();
    Step resolved = apply(page.next(), PendingAlert.resolve(key, "fixed", T0.plusSeconds(60)), 1);

    Step stale = apply(resolved.next(), Alerts.trigger("t1", T0.plusSeconds(30)), 2);
    assertThat(stale.outcome()).isEqualTo(Outcome.STALE);
    assertThat(stale.deliver()).isEmpty();
    assertThat(stale.next().status()).isEqualTo(Status.RESOLVED);

    Step again = apply(stale.next(), Alerts.trigger("t1", T0.plusSeconds(120)), 3);
    assertThat(again.outcome()).isEqualTo(Outcome.PAGE);
    assertThat(again.next().status()).isEqualTo(Status.OPEN);
    assertThat(again.deliver()).hasSize(2);
  }

  @Test
  void aPendingAlertReadAgainRedeliversOnlyWhatIsStillOwed() {
    Step page = apply(null, Alerts.trigger("t1", T0), 5);
    AlertState slackDone =
        page.next().delivered(new Obligation("slack", Kind.TRIGGER, 5), NOW).withVersion(2);
    Step repeat = apply(slackDone, Alerts.trigger("t1", T0.plusSeconds(10)), 6);

    // After a crash both are read again.
    Step again5 = apply(repeat.next(), Alerts.trigger("t1", T0), 5);
    assertThat(again5.outcome()).isEqualTo(Outcome.REDELIVERED);
    assertThat(again5.deliver()).containsExactly(new Obligation("pagerduty", Kind.TRIGGER, 5));
    assertThat(again5.next()).isSameAs(repeat.next());

    Step again6 = apply(repeat.next(), Alerts.trigger("t1", T0.plusSeconds(10)), 6);
    assertThat(again6.outcome()).isEqualTo(Outcome.ALREADY_APPLIED);
    assertThat(again6.deliver()).isEmpty();
    assertThat(again6.next().count()).isEqualTo(2); // not counted twice
  }

  @Test
  void oncePagerDutyAcknowledgedNothingIsRedelivered() {
    Step page = apply(null, Alerts.trigger("t1", T0), 5);
    AlertState done =
        page.next()
            .delivered(new Obligation("slack", Kind.TRIGGER, 5), NOW)
            .delivered(new Obligation("pagerduty", Kind.TRIGGER, 5), NOW);

    Step again = apply(done, Alerts.trigger("t1", T0), 5);
    assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_APPLIED);
    assertThat(again.deliver()).isEmpty();
  }

  @Test
  void aNewWindowKeepsDeliveriesOfTheOldOneThatAreStillOwed() {
    Step page = apply(null, Alerts.trigger("t1", T0), 0);
    AlertState slackOnly =
        page.next().delivered(new Obligation("slack", Kind.TRIGGER, 0), NOW).withVersion(2);
    Step next = apply(slackOnly, Alerts.trigger("t1", T0.plus(HOUR).plusSeconds(1)), 1);

    assertThat(next.outcome()).isEqualTo(Outcome.PAGE);
    assertThat(next.next().owed())
        .containsExactly(
            new Obligation("pagerduty", Kind.TRIGGER, 0),
            new Obligation("pagerduty", Kind.TRIGGER, 1),
            new Obligation("slack", Kind.TRIGGER, 1));
  }

  @Test
  void withNoSinkAPageIsStillTrackedAndOwesNothing() {
    Step s = Deduplicator.apply(null, Alerts.trigger("t1", T0), 0, 0, HOUR, x -> List.of(), NOW);
    assertThat(s.outcome()).isEqualTo(Outcome.PAGE);
    assertThat(s.deliver()).isEmpty();
    assertThat(s.next().owed()).isEmpty();
    assertThat(s.next().status()).isEqualTo(Status.OPEN);
  }

  @Test
  void aMessageFromAnotherPartitionIsNeverTakenForARedelivery() {
    Step page = apply(null, Alerts.trigger("t1", T0), 9);
    Step other =
        Deduplicator.apply(
            page.next(), Alerts.trigger("t1", T0.plusSeconds(5)), 3, 2, HOUR, x -> SINKS, NOW);
    assertThat(other.outcome()).isEqualTo(Outcome.REPEAT);
  }
}
