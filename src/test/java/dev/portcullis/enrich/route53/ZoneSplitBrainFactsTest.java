package dev.portcullis.enrich.route53;

import static dev.portcullis.enrich.route53.Route53Events.crrs;
import static dev.portcullis.enrich.route53.Route53Events.simple;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.EventTimeWatermark;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.testing.Events;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The split-brain component in Java: changes wait by record name, the watermark (CloudTrail event
 * time only) or the wall clock decides them, and what it hands back is the original event with its
 * MirrorOverdue facts.
 */
class ZoneSplitBrainFactsTest {

  static final String BLUE = "Z0813377EXAMPLEBLU";
  static final String BAL = "Z0813377EXAMPLEBAL";
  static final Instant WALL = Instant.parse("2026-11-24T12:00:00Z");

  static JsonNode params(long window, long lateness) {
    return Events.read(
        "{\"pairs\":[{\"a\":{\"zoneId\":\""
            + BLUE
            + "\",\"apex\":\"blue.k8s.example.com\"},\"b\":{\"zoneId\":\"/hostedzone/"
            + BAL
            + "\",\"apex\":\"Example.com.\"}}],\"windowSeconds\":"
            + window
            + ",\"allowedLatenessSeconds\":"
            + lateness
            + "}");
  }

  final ZoneSplitBrainFacts facts = new ZoneSplitBrainFacts();
  final StateStore state = new StateStore();
  final PendingMirrors pending =
      state.of(
          PendingMirrors.class, () -> new PendingMirrors(Clock.fixed(WALL, ZoneOffset.UTC), 3));
  final EventTimeWatermark watermark =
      state.of(
          EventTimeWatermark.class,
          () -> new EventTimeWatermark(Clock.fixed(WALL, ZoneOffset.UTC), null));

  FactContext ctx(JsonNode params, boolean records) {
    return new FactContext(
        Lookups.NONE, Map.of(ZoneSplitBrainFacts.POLICY, params), state, records);
  }

  static ChangeEvent blueCreate(String time, String name) {
    return crrs(time, BLUE, simple("CREATE", name + ".blue.k8s.example.com", "A", "192.0.2.1"));
  }

  @Test
  void anUnmirroredChangeComesBackWithItsFactsOnceTheWatermarkPassesItsWindow() {
    FactContext ctx = ctx(params(60, 300), true);
    ChangeEvent change = blueCreate("2026-11-24T10:00:00Z", "api");
    assertThat(facts.facts(change, ctx)).isEmpty(); // nothing is known yet
    assertThat(pending.size()).isEqualTo(1);

    facts.facts(Route53Events.getChange("2026-11-24T10:06:00Z"), ctx);
    assertThat(facts.due(ctx, null)).isEmpty(); // watermark 10:01:00 is not past 10:01:00

    facts.facts(Route53Events.getChange("2026-11-24T10:06:00.001Z"), ctx);
    List<DueEvaluation> due = facts.due(ctx, null);
    assertThat(due)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.id()).isEqualTo(change.getId() + "/dns-zone-split-brain");
              assertThat(d.policy()).isEqualTo("dns-zone-split-brain");
              assertThat(d.event()).isSameAs(change);
              MirrorOverdue m = (MirrorOverdue) d.facts().get(0);
              assertThat(m.getRecord()).isEqualTo("api.blue.k8s.example.com A");
              assertThat(m.getExpected()).isEqualTo("api.example.com A");
              assertThat(m.getZoneText()).isEqualTo(BLUE + " (blue.k8s.example.com)");
              assertThat(m.getPairZoneText()).isEqualTo(BAL + " (example.com)");
              assertThat(m.getVerb()).isEqualTo("created");
              assertThat(m.getDecidedBy()).isEqualTo("event time");
            });
    assertThat(facts.due(ctx, null)).isEmpty(); // handed out once
    assertThat(pending.size()).isZero();
  }

  @Test
  void kubernetesEventsRunOnAnotherClockAndDoNotMoveTheWatermark() {
    FactContext ctx = ctx(params(60, 0), true);
    facts.facts(blueCreate("2026-11-24T10:00:00Z", "api"), ctx);
    facts.facts(Route53Events.kubernetes("2026-11-24T11:00:00.000000Z"), ctx);
    assertThat(facts.due(ctx, null)).isEmpty();
    assertThat(watermark.newest()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
  }

  @Test
  void anEventTimeFarAheadOfTheClockDoesNotMakeWaitingChangesOverdue() {
    FactContext ctx = ctx(params(60, 300), true);
    facts.facts(blueCreate("2026-11-24T11:59:00Z", "api"), ctx);
    // A record whose clock is a year ahead of this machine's (WALL): it moves the watermark only
    // to five minutes past the clock, which is not past api's window plus lateness.
    facts.facts(Route53Events.getChange("2027-11-24T12:00:00Z"), ctx);
    assertThat(watermark.newest()).isEqualTo(WALL.plusSeconds(300));
    assertThat(facts.due(ctx, null)).isEmpty();
    assertThat(pending.size()).isEqualTo(1);
  }

  @Test
  void onAQuietStreamTheWallClockDecidesAfterWindowPlusLateness() {
    FactContext ctx = ctx(params(60, 300), true);
    facts.facts(blueCreate("2026-11-24T10:00:00Z", "api"), ctx);

    assertThat(facts.due(ctx, WALL.plusSeconds(360))).isEmpty();
    List<DueEvaluation> due = facts.due(ctx, WALL.plusSeconds(361));
    assertThat(due).hasSize(1);
    assertThat(((MirrorOverdue) due.get(0).facts().get(0)).getDecidedBy()).isEqualTo("wall clock");
  }

  @Test
  void dryRunsNeitherWaitNorMoveTheWatermark() {
    FactContext dry = ctx(params(60, 0), false);
    facts.facts(blueCreate("2026-11-24T10:00:00Z", "api"), dry);
    facts.facts(Route53Events.getChange("2026-11-24T11:00:00Z"), dry);
    assertThat(pending.size()).isZero();
    assertThat(watermark.newest()).isNull();
  }

  @Test
  void aMirrorAfterTheDecisionIsTheLateMirrorNotANewChange() {
    FactContext ctx = ctx(params(60, 0), true);
    facts.facts(blueCreate("2026-11-24T10:00:00Z", "api"), ctx);
    facts.facts(Route53Events.getChange("2026-11-24T10:05:00Z"), ctx);
    assertThat(facts.due(ctx, null)).hasSize(1);

    facts.facts(
        crrs("2026-11-24T10:06:00Z", BAL, simple("UPSERT", "api.example.com", "A", "192.0.2.1")),
        ctx);
    facts.facts(Route53Events.getChange("2026-11-24T10:30:00Z"), ctx);
    assertThat(facts.due(ctx, null)).isEmpty();
    assertThat(pending.size()).isZero();
  }

  @Test
  void matchingNeedsTheSamePairNameTypeAndKindOfAction() {
    PendingMirrors p = new PendingMirrors(Clock.fixed(WALL, ZoneOffset.UTC), 100);
    ZonePairs pairs = ZonePairs.of(params(60, 0));
    ZonePairs.Pair pair = pairs.pairs().get(0);
    ChangeEvent e = blueCreate("2026-11-24T10:00:00Z", "api");
    Duration w = Duration.ofSeconds(60);
    assertThat(
            p.offer(
                pair, pair.a(), pair.b(), "api", "api.blue.k8s.example.com.", "A", "CREATE", e, w))
        .isEqualTo(PendingMirrors.Offer.WAITING);
    // Same side again: not a mirror.
    assertThat(
            p.offer(
                pair, pair.a(), pair.b(), "api", "api.blue.k8s.example.com.", "A", "UPSERT", e, w))
        .isEqualTo(PendingMirrors.Offer.WAITING);
    // Other side, DELETE does not mirror a CREATE; AAAA does not mirror A.
    assertThat(p.offer(pair, pair.b(), pair.a(), "api", "api.example.com.", "A", "DELETE", e, w))
        .isEqualTo(PendingMirrors.Offer.WAITING);
    assertThat(p.offer(pair, pair.b(), pair.a(), "api", "api.example.com.", "AAAA", "CREATE", e, w))
        .isEqualTo(PendingMirrors.Offer.WAITING);
    // Other side, same type, UPSERT mirrors CREATE.
    assertThat(p.offer(pair, pair.b(), pair.a(), "api", "api.example.com.", "A", "UPSERT", e, w))
        .isEqualTo(PendingMirrors.Offer.MIRRORED);
    assertThat(p.size()).isEqualTo(3); // four waited, the UPSERT cleared the first
  }

  @Test
  void theCallersNewestEventTimeMinusLatenessDecides() {
    PendingMirrors p = new PendingMirrors(Clock.fixed(WALL, ZoneOffset.UTC), 100);
    ZonePairs.Pair pair = ZonePairs.of(params(60, 0)).pairs().get(0);
    ChangeEvent e = blueCreate("2026-11-24T10:00:00Z", "api");
    Duration window = Duration.ofSeconds(60);
    Duration lateness = Duration.ofSeconds(300);
    p.offer(pair, pair.a(), pair.b(), "api", "api.blue.k8s.example.com.", "A", "CREATE", e, window);
    // No event time seen yet and no wall clock: nothing decides.
    assertThat(p.takeDue(window, lateness, null, null)).isEmpty();
    // 10:06:00 minus 5 minutes is 10:01:00, not past 10:00:00 plus the window.
    Instant atEdge = Instant.parse("2026-11-24T10:06:00Z");
    assertThat(p.takeDue(window, lateness, atEdge, null)).isEmpty();
    assertThat(p.takeDue(window, lateness, atEdge.plusMillis(1), null))
        .singleElement()
        .satisfies(o -> assertThat(o.decidedBy()).isEqualTo("event time"));
    assertThat(p.size()).isZero();
  }

  @Test
  void waitingChangesAreBounded() {
    FactContext ctx = ctx(params(60, 300), true);
    for (int i = 0; i < 4; i++) {
      facts.facts(blueCreate("2026-11-24T10:00:0" + i + "Z", "r" + i), ctx);
    }
    assertThat(pending.size()).isEqualTo(3);
    assertThat(pending.dropped()).isEqualTo(1);
  }

  @Test
  void badPairsAreLeftOutAndDefaultsApply() {
    ZonePairs p = ZonePairs.of(Events.read("{\"pairs\":[{\"a\":{\"zoneId\":\"Z1\"},\"b\":{}}]}"));
    assertThat(p.pairs()).isEmpty();
    assertThat(p.window()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.lateness()).isEqualTo(Duration.ofSeconds(300));
    ZonePairs q = ZonePairs.of(params(5, 7));
    assertThat(q.pairs().get(0).b().zoneId()).isEqualTo(BAL);
    assertThat(q.pairs().get(0).b().apex()).isEqualTo("example.com.");
    assertThat(q.window()).isEqualTo(Duration.ofSeconds(5));
  }
}
