package dev.portcullis.enrich.route53;

import static dev.portcullis.enrich.route53.Route53Events.crrs;
import static dev.portcullis.enrich.route53.Route53Events.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.testing.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The weight-shift facts as Java sees them: shares, where "before" came from, what is remembered
 * (and kept for a revert), and what is never remembered (rejected batches, dry runs, late events
 * over newer ones).
 */
class WeightShiftFactsTest {

  static final String ZONE = "Z0813377EXAMPLEBAL";
  static final RecordSetKey API = new RecordSetKey(ZONE, "api.example.com.", "A");

  final WeightShiftFacts facts = new WeightShiftFacts();
  final StateStore state = new StateStore();

  /** Lookups that answer from a fixed list and count the questions. */
  static final class Listing implements Lookups {
    final List<String> asked = new ArrayList<>();
    final JsonNode answer;

    Listing(String json) {
      this.answer = json == null ? null : Events.read(json);
    }

    @Override
    public Optional<JsonNode> find(String name, String key) {
      asked.add(name + " " + key);
      return Optional.ofNullable(answer);
    }
  }

  FactContext ctx(Lookups lookups, boolean records) {
    return new FactContext(lookups, Map.of(), state, records);
  }

  WeightShift shift(ChangeEvent e, FactContext ctx) {
    List<Object> out = facts.facts(e, ctx);
    assertThat(out).hasSize(1);
    return (WeightShift) out.get(0);
  }

  WeightedRecordSets seen() {
    return state.of(WeightedRecordSets.class, WeightedRecordSets::new);
  }

  ChangeEvent create(String time, long blue, long green) {
    return crrs(
        time,
        ZONE,
        weighted("CREATE", "api.example.com", "blue", blue),
        weighted("CREATE", "api.example.com", "green", green));
  }

  ChangeEvent upsert(String time, long blue, long green) {
    return crrs(
        time,
        ZONE,
        weighted("UPSERT", "api.example.com", "blue", blue),
        weighted("UPSERT", "api.example.com", "green", green));
  }

  @Test
  void sharesBeforeAndAfterFromWhatWasSeen() {
    WeightShift created = shift(create("2026-11-24T10:00:00Z", 100, 0), ctx(Lookups.NONE, true));
    assertThat(created.beforeShares()).isEmpty(); // a new group carried nothing before
    assertThat(created.points()).isZero();
    assertThat(created.basis()).isEqualTo("change batch");

    WeightShift s = shift(upsert("2026-11-24T10:10:00Z", 30, 70), ctx(Lookups.NONE, true));

    assertThat(s.basis()).isEqualTo("state");
    assertThat(s.beforeShares()).isEqualTo(Map.of("blue", 100.0, "green", 0.0));
    assertThat(s.afterShares()).isEqualTo(Map.of("blue", 30.0, "green", 70.0));
    assertThat(s.points()).isEqualTo(70.0);
    assertThat(s.fromMember()).isEqualTo("blue");
    assertThat(s.toMember()).isEqualTo("green");
    assertThat(s.allZero()).isFalse();
    assertThat(s.deletedWithTraffic()).isEmpty();
    assertThat(s.getSharesText()).isEqualTo("blue 100% -> 30%, green 0% -> 70%");
  }

  @Test
  void thePreviousWeightsStayRetrievableForARevert() {
    shift(create("2026-11-24T10:00:00Z", 100, 0), ctx(Lookups.NONE, true));
    ChangeEvent cut = upsert("2026-11-24T10:10:00Z", 30, 70);
    shift(cut, ctx(Lookups.NONE, true));

    WeightedRecordSets.Snapshot previous = seen().previous(API).orElseThrow();
    assertThat(previous.weights()).isEqualTo(Map.of("blue", 100L, "green", 0L));
    assertThat(previous.unknown()).isEmpty();
    assertThat(previous.eventId()).isEqualTo(cut.getId());
    assertThat(seen().current(API).orElseThrow().weights())
        .isEqualTo(Map.of("blue", 30L, "green", 70L));
  }

  @Test
  void rejectedBatchesAndDryRunsChangeNothing() {
    shift(create("2026-11-24T10:00:00Z", 100, 0), ctx(Lookups.NONE, true));

    assertThat(
            facts.facts(
                Route53Events.rejected(
                    "2026-11-24T10:05:00Z", ZONE, weighted("UPSERT", "api.example.com", "blue", 0)),
                ctx(Lookups.NONE, true)))
        .isEmpty();
    WeightShift dry = shift(upsert("2026-11-24T10:06:00Z", 0, 100), ctx(Lookups.NONE, false));
    assertThat(dry.points()).isEqualTo(100.0); // judged against state ...

    assertThat(seen().current(API).orElseThrow().weights()) // ... but not remembered
        .isEqualTo(Map.of("blue", 100L, "green", 0L));
  }

  @Test
  void anOlderEventDoesNotOverwriteNewerWeightsAndIsJudgedAlone() {
    shift(create("2026-11-24T10:00:00Z", 100, 0), ctx(Lookups.NONE, true));
    shift(upsert("2026-11-24T10:10:00Z", 50, 50), ctx(Lookups.NONE, true));

    WeightShift late = shift(upsert("2026-11-24T10:05:00Z", 100, 0), ctx(Lookups.NONE, true));

    assertThat(late.basis()).isEqualTo("change batch");
    assertThat(late.note()).contains("newer change");
    assertThat(late.beforeShares()).isNull();
    assertThat(seen().current(API).orElseThrow().weights())
        .isEqualTo(Map.of("blue", 50L, "green", 50L));
    assertThat(seen().view(API).orElseThrow().members().get("blue").asOf())
        .isEqualTo(Instant.parse("2026-11-24T10:10:00Z"));
  }

  @Test
  void aLookupIsAskedUntilItHasListedTheGroupOnce() {
    Listing listing =
        new Listing(
            "[{\"name\":\"api.example.com.\",\"type\":\"A\",\"setIdentifier\":\"blue\",\"weight\":100},"
                + "{\"name\":\"api.example.com.\",\"type\":\"A\",\"setIdentifier\":\"green\",\"weight\":0},"
                + "{\"name\":\"api.example.com.\",\"type\":\"AAAA\",\"setIdentifier\":\"blue\",\"weight\":1},"
                + "{\"name\":\"www.example.com.\",\"type\":\"A\",\"setIdentifier\":\"x\",\"weight\":9}]");

    // Only green is written; blue (untouched) comes from the lookup; green's listed weight (0)
    // differs from the new one, so it is its weight before the change.
    WeightShift s =
        shift(
            crrs("2026-11-24T10:00:00Z", ZONE, weighted("UPSERT", "api.example.com", "green", 100)),
            ctx(listing, true));
    assertThat(listing.asked).containsExactly("route53.recordSets " + API.lookupKey());
    assertThat(s.basis()).isEqualTo("lookup");
    assertThat(s.groupKnown()).isTrue();
    assertThat(s.beforeShares()).isEqualTo(Map.of("blue", 100.0, "green", 0.0));
    assertThat(s.points()).isEqualTo(50.0);

    shift(upsert("2026-11-24T10:10:00Z", 50, 50), ctx(listing, true));
    assertThat(listing.asked).hasSize(1); // the group is known whole now
  }

  @Test
  void aLookupThatAlreadyShowsTheNewWeightsTellsNothingAboutTheOldOnes() {
    Listing listing =
        new Listing(
            "[{\"name\":\"api.example.com.\",\"type\":\"A\",\"setIdentifier\":\"blue\",\"weight\":0},"
                + "{\"name\":\"api.example.com.\",\"type\":\"A\",\"setIdentifier\":\"green\",\"weight\":100}]");
    WeightShift s = shift(upsert("2026-11-24T10:00:00Z", 0, 100), ctx(listing, true));
    assertThat(s.beforeShares()).isNull();
    assertThat(s.unknownBefore()).containsExactly("blue", "green");
    assertThat(s.points()).isZero();
    assertThat(seen().previous(API).orElseThrow().unknown()).containsExactly("blue", "green");
  }

  @Test
  void aFailedLookupIsNamed() {
    Listing failed = new Listing("{\"lookupFailed\":\"throttled by Route53\"}");
    WeightShift s =
        shift(
            crrs("2026-11-24T10:00:00Z", ZONE, weighted("DELETE", "api.example.com", "blue", 70)),
            ctx(failed, true));
    assertThat(s.basis()).isEqualTo("change batch");
    assertThat(s.note()).isEqualTo("the Route53 lookup failed (throttled by Route53)");
    assertThat(s.getBasisText())
        .isEqualTo(
            "; decided on the change batch alone: the Route53 lookup failed (throttled by Route53)");
    assertThat(s.deletedWithTraffic()).isEqualTo(Map.of("blue", 70L));
    assertThat(s.getDeletedText()).isEqualTo("blue (weight 70)");
  }

  @Test
  void allZeroIsAnEvenSplit() {
    assertThat(WeightShiftFacts.shares(Map.of("a", 0L, "b", 0L, "c", 0L)))
        .isEqualTo(Map.of("a", 33.33, "b", 33.33, "c", 33.33));
    shift(create("2026-11-24T10:00:00Z", 0, 0), ctx(Lookups.NONE, true));
    // Already all zero: adding weight is not "becoming" all zero.
    WeightShift s = shift(upsert("2026-11-24T10:10:00Z", 0, 0), ctx(Lookups.NONE, true));
    assertThat(s.allZero()).isFalse();
    WeightShift up = shift(upsert("2026-11-24T10:20:00Z", 10, 0), ctx(Lookups.NONE, true));
    assertThat(up.points()).isEqualTo(50.0);
    WeightShift down = shift(upsert("2026-11-24T10:30:00Z", 0, 0), ctx(Lookups.NONE, true));
    assertThat(down.allZero()).isTrue();
    assertThat(down.afterShares()).isEqualTo(Map.of("blue", 50.0, "green", 50.0));
  }

  @Test
  void deletingAZeroMemberOfAnAllZeroGroupStillMovesTraffic() {
    shift(create("2026-11-24T10:00:00Z", 0, 0), ctx(Lookups.NONE, true));
    WeightShift s =
        shift(
            crrs("2026-11-24T10:10:00Z", ZONE, weighted("DELETE", "api.example.com", "green", 0)),
            ctx(Lookups.NONE, true));
    assertThat(s.deletedWithTraffic()).containsOnlyKeys("green");
  }

  @Test
  void eachWeightedGroupOfABatchIsItsOwnFact() {
    ChangeEvent e =
        crrs(
            "2026-11-24T10:00:00Z",
            ZONE,
            weighted("CREATE", "api.example.com", "blue", 1),
            weighted("CREATE", "grpc.example.com", "blue", 1),
            Route53Events.simple("CREATE", "www.example.com", "CNAME", "api.example.com"));
    assertThat(facts.facts(e, ctx(Lookups.NONE, true)))
        .extracting(f -> ((WeightShift) f).getName())
        .containsExactly("api.example.com", "grpc.example.com");
  }

  @Test
  void theStateIsBounded() {
    WeightedRecordSets small = new WeightedRecordSets(2);
    for (int i = 0; i < 3; i++) {
      small.record(
          new RecordSetKey(ZONE, "r" + i + ".example.com.", "A"),
          null,
          Map.of("blue", 1L),
          Map.of(),
          new WeightedRecordSets.Snapshot(Map.of(), java.util.Set.of(), Instant.EPOCH, "e"),
          Instant.EPOCH,
          "e" + i);
    }
    assertThat(small.size()).isEqualTo(2);
    assertThat(small.forgotten()).isEqualTo(1);
    assertThat(small.view(new RecordSetKey(ZONE, "r0.example.com.", "A"))).isEmpty();
  }
}
