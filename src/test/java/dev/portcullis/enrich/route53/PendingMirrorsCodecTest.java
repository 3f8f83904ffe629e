package dev.portcullis.enrich.route53;

import static dev.portcullis.enrich.route53.Route53Events.crrs;
import static dev.portcullis.enrich.route53.Route53Events.simple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.ChangeEventCodec;
import dev.portcullis.testing.EventFields;
import dev.portcullis.testing.Events;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Changes waiting for their DNS mirror written, read back and written again: the same JSON, the
 * same answers (matching, overdue decisions, late mirrors), and the events they came from intact.
 */
class PendingMirrorsCodecTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String BLUE = "Z0813377EXAMPLEBLU";
  static final String BAL = "Z0813377EXAMPLEBAL";
  static final Instant WALL = Instant.parse("2026-11-24T12:00:00.25Z");
  static final Duration WINDOW = Duration.ofSeconds(60);

  static final ZonePairs.Pair PAIR =
      ZonePairs.of(
              Events.read(
                  "{\"pairs\":[{\"a\":{\"zoneId\":\""
                      + BLUE
                      + "\",\"apex\":\"blue.k8s.example.com\"},\"b\":{\"zoneId\":\""
                      + BAL
                      + "\",\"apex\":\"example.com\"}}]}"))
          .pairs()
          .get(0);

  final PendingMirrorsCodec codec = new PendingMirrorsCodec();

  /** Waits for a change of the blue zone ({@code a}) or, with {@code blue} false, of the other. */
  static PendingMirrors.Offer offer(
      PendingMirrors p, boolean blue, String relative, String type, String action, ChangeEvent e) {
    ZonePairs.Side changed = blue ? PAIR.a() : PAIR.b();
    ZonePairs.Side other = blue ? PAIR.b() : PAIR.a();
    String name = Route53Names.under(relative, changed.apex());
    return p.offer(PAIR, changed, other, relative, name, type, action, e, WINDOW);
  }

  static ChangeEvent blue(String time, String... createdNames) {
    return crrs(
        time,
        BLUE,
        Arrays.stream(createdNames)
            .map(n -> simple("CREATE", n + ".blue.k8s.example.com", "A", "192.0.2.1"))
            .toArray(ObjectNode[]::new));
  }

  static ChangeEvent balancer(String time, String action, String name) {
    return crrs(time, BAL, simple(action, name + ".example.com", "A", "192.0.2.1"));
  }

  /** api and www decided overdue (one event), db waiting twice (a change and a non-mirror). */
  static PendingMirrors sample() {
    PendingMirrors p = new PendingMirrors(Clock.fixed(WALL, ZoneOffset.UTC), 100);
    ChangeEvent both = blue("2026-11-24T10:00:00.123456789Z", "api", "www");
    offer(p, true, "api", "A", "CREATE", both);
    offer(p, true, "www", "A", "CREATE", both);
    offer(p, true, "db", "A", "UPSERT", blue("2026-11-24T10:10:00Z", "db"));
    offer(p, false, "db", "A", "DELETE", balancer("2026-11-24T10:10:10Z", "DELETE", "db"));
    assertThat(p.takeDue(WINDOW, Duration.ZERO, Instant.parse("2026-11-24T10:05:00Z"), null))
        .hasSize(2);
    return p;
  }

  /** What an overdue change says; the time it was seen only when {@code withSeenAt}. */
  static String describe(PendingMirrors.Overdue o, boolean withSeenAt) {
    PendingMirrors.Pending p = o.pending();
    return String.join(
        " ",
        o.decidedBy(),
        p.pair().id(),
        p.changed().describe(),
        p.other().describe(),
        p.relative(),
        p.name(),
        p.type(),
        p.action(),
        p.time().toString(),
        withSeenAt ? p.seenAt().toString() : "",
        ChangeEventCodec.write(p.event()).toString());
  }

  static List<String> describe(List<PendingMirrors.Overdue> due, boolean withSeenAt) {
    return due.stream().map(o -> describe(o, withSeenAt)).toList();
  }

  @Test
  void waitingAndDecidedChangesRoundTripWithTheirEvents() throws Exception {
    PendingMirrors original = sample();
    JsonNode written = codec.write(original);
    PendingMirrors back = codec.read(JSON.readTree(JSON.writeValueAsBytes(written)));
    assertThat(codec.write(back)).isEqualTo(written);
    assertThat(back.size()).isEqualTo(original.size()).isEqualTo(2);
    assertThat(codec.isEmpty(back)).isFalse();
    assertThat(written.path("waiting").has("db")).isTrue();
    assertThat(written.path("decided").has("api")).isTrue();
    assertThat(written.at("/waiting/db/0/seenAt").asText()).isEqualTo("2026-11-24T12:00:00.250Z");
    // The batch that changed api and www is written once, and read back as one event.
    assertThat(written.path("events")).hasSize(3);
    ChangeEvent api = back.decided().get("api").get(0).event();
    assertThat(back.decided().get("www").get(0).event()).isSameAs(api);
    assertThat(EventFields.differences(original.decided().get("api").get(0).event(), api))
        .isEmpty();
    assertThat(back.waiting()).isEqualTo(withEventsOf(back, original.waiting()));
    assertThat(back.decided()).isEqualTo(withEventsOf(back, original.decided()));
  }

  /** The original's changes, each with the read-back event of the same id (events are by id). */
  static Map<String, List<PendingMirrors.Pending>> withEventsOf(
      PendingMirrors back, Map<String, List<PendingMirrors.Pending>> changes) {
    Map<String, ChangeEvent> events = new HashMap<>();
    back.waiting().values().forEach(l -> l.forEach(p -> events.put(p.event().getId(), p.event())));
    back.decided().values().forEach(l -> l.forEach(p -> events.put(p.event().getId(), p.event())));
    Map<String, List<PendingMirrors.Pending>> out = new LinkedHashMap<>();
    changes.forEach(
        (name, list) ->
            out.put(
                name,
                list.stream()
                    .map(
                        p ->
                            new PendingMirrors.Pending(
                                p.pair(),
                                p.changed(),
                                p.other(),
                                p.relative(),
                                p.name(),
                                p.type(),
                                p.action(),
                                p.time(),
                                p.seenAt(),
                                events.get(p.event().getId())))
                    .toList()));
    return out;
  }

  @Test
  void theReadBackStateMatchesAndDecidesAsTheOriginal() {
    PendingMirrors original = sample();
    PendingMirrors back = codec.read(codec.write(original));
    ChangeEvent lateApi = balancer("2026-11-24T10:06:00Z", "UPSERT", "api");
    ChangeEvent dbMirror = balancer("2026-11-24T10:10:30Z", "CREATE", "db");
    ChangeEvent fresh = blue("2026-11-24T10:20:00Z", "new");
    for (PendingMirrors p : List.of(original, back)) {
      // The late mirror of api, decided overdue already.
      assertThat(offer(p, false, "api", "A", "UPSERT", lateApi))
          .isEqualTo(PendingMirrors.Offer.LATE_MIRROR);
      // The mirror of the waiting db UPSERT, within the window.
      assertThat(offer(p, false, "db", "A", "CREATE", dbMirror))
          .isEqualTo(PendingMirrors.Offer.MIRRORED);
      assertThat(offer(p, true, "new", "A", "CREATE", fresh))
          .isEqualTo(PendingMirrors.Offer.WAITING);
      assertThat(p.size()).isEqualTo(2);
    }
    Instant newest = Instant.parse("2026-11-24T10:30:00Z");
    List<PendingMirrors.Overdue> a = original.takeDue(WINDOW, Duration.ZERO, newest, null);
    List<PendingMirrors.Overdue> b = back.takeDue(WINDOW, Duration.ZERO, newest, null);
    assertThat(a).hasSize(2);
    assertThat(describe(b, false)).isEqualTo(describe(a, false));
    // Two hours of event time later, the decided changes are forgotten too.
    Instant later = newest.plus(Duration.ofHours(2));
    assertThat(back.takeDue(WINDOW, Duration.ZERO, later, null)).isEmpty();
    assertThat(original.takeDue(WINDOW, Duration.ZERO, later, null)).isEmpty();
    assertThat(codec.isEmpty(back)).isTrue();
    assertThat(codec.isEmpty(original)).isTrue();
  }

  @Test
  void onAQuietStreamTheWallClockDecidesTheReadBackStateAsTheOriginal() {
    PendingMirrors original = sample();
    PendingMirrors back = codec.read(codec.write(original));
    Duration lateness = Duration.ofSeconds(300);
    Instant edge = WALL.plus(WINDOW).plus(lateness);
    assertThat(back.takeDue(WINDOW, lateness, null, edge)).isEmpty();
    assertThat(original.takeDue(WINDOW, lateness, null, edge)).isEmpty();
    List<PendingMirrors.Overdue> a = original.takeDue(WINDOW, lateness, null, edge.plusMillis(1));
    List<PendingMirrors.Overdue> b = back.takeDue(WINDOW, lateness, null, edge.plusMillis(1));
    assertThat(a).hasSize(2).allSatisfy(o -> assertThat(o.decidedBy()).isEqualTo("wall clock"));
    assertThat(describe(b, true)).isEqualTo(describe(a, true));
  }

  @Test
  void anEmptyStateIsEmptyBothWays() {
    PendingMirrors empty = new PendingMirrors();
    assertThat(codec.isEmpty(empty)).isTrue();
    JsonNode written = codec.write(empty);
    assertThat(written.toString()).isEqualTo("{\"events\":[],\"waiting\":{},\"decided\":{}}");
    assertThat(codec.isEmpty(codec.read(written))).isTrue();
    assertThat(codec.read(written).size()).isZero();
    assertThat(codec.name()).isEqualTo("mirrors");
    assertThat(codec.kind()).isEqualTo(PendingMirrors.class);
  }

  @Test
  void restoringKeepsTheBoundAndAStoredChangeMustNameItsEvent() {
    PendingMirrors original = sample();
    PendingMirrors small = new PendingMirrors(Clock.fixed(WALL, ZoneOffset.UTC), 1);
    small.restore(
        original.waiting().values().stream().flatMap(List::stream).toList(),
        original.decided().values().stream().flatMap(List::stream).toList());
    assertThat(small.size()).isEqualTo(1);
    assertThat(small.dropped()).isEqualTo(1);
    assertThat(small.waiting().get("db").get(0).action()).isEqualTo("DELETE"); // the newest kept

    JsonNode written = codec.write(original).deepCopy();
    ((ObjectNode) written.at("/waiting/db/0")).put("event", 7);
    assertThatThrownBy(() -> codec.read(written))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("event");
  }
}
