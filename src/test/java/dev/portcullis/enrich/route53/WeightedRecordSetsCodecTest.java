package dev.portcullis.enrich.route53;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Weighted record sets written, read back and written again: the same JSON, the same answers. */
class WeightedRecordSetsCodecTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T1 = Instant.parse("2026-11-24T10:00:00.123456789Z");
  static final Instant T2 = Instant.parse("2026-11-24T10:05:00Z");
  static final Instant T3 = Instant.parse("2026-11-24T10:10:00Z");

  static final RecordSetKey API = new RecordSetKey("Z123", "api.example.com.", "A");
  static final RecordSetKey WWW = new RecordSetKey("Z123", "www.example.com.", "CNAME");
  static final RecordSetKey BARE = new RecordSetKey("Z456", "bare.example.org.", "AAAA");
  static final RecordSetKey UNKNOWN = new RecordSetKey("Z999", "none.example.com.", "A");
  static final List<RecordSetKey> KEYS = List.of(API, WWW, BARE, UNKNOWN);

  final WeightedRecordSetsCodec codec = new WeightedRecordSetsCodec();

  static Map<String, Long> weights(Object... memberAndWeight) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < memberAndWeight.length; i += 2) {
      m.put((String) memberAndWeight[i], (Long) memberAndWeight[i + 1]);
    }
    return m;
  }

  static WeightedRecordSets sample() {
    WeightedRecordSets s = new WeightedRecordSets();
    // A lookup listed api (blue, green); the change then shifted all to green, deleted red.
    s.record(
        API,
        weights("blue", 50L, "green", 50L, "red", 0L),
        weights("blue", 0L, "green", 100L, "red", null),
        Map.of("blue", "192.0.2.1", "green", "192.0.2.2"),
        new WeightedRecordSets.Snapshot(
            weights("green", 50L, "blue", 50L), Set.of("red", "old"), T1, "e1"),
        T1,
        "e1");
    // www: no lookup, two changes, the second late (older than the first).
    s.record(WWW, null, weights("a", 1L), Map.of(), null, T3, "e3");
    s.record(
        WWW,
        null,
        weights("a", 5L, "b", 2L),
        Map.of("b", "b.example.net"),
        new WeightedRecordSets.Snapshot(weights(), Set.of(), T2, "e2"),
        T2,
        "e2");
    // bare: a change that touched nothing yet.
    s.record(BARE, null, Map.of(), Map.of(), null, T2, "e4");
    s.view(API); // api becomes the most recently used
    return s;
  }

  static void assertSameAnswers(WeightedRecordSets a, WeightedRecordSets b) {
    assertThat(b.size()).isEqualTo(a.size());
    for (RecordSetKey k : KEYS) {
      assertThat(b.view(k)).as("view " + k).isEqualTo(a.view(k));
      assertThat(b.previous(k)).as("previous " + k).isEqualTo(a.previous(k));
      assertThat(b.current(k)).as("current " + k).isEqualTo(a.current(k));
    }
  }

  @Test
  void everyGroupRoundTripsAndAnswersAsBefore() throws Exception {
    WeightedRecordSets original = sample();
    JsonNode written = codec.write(original);
    WeightedRecordSets back = codec.read(JSON.readTree(JSON.writeValueAsBytes(written)));
    assertThat(codec.write(back)).isEqualTo(written);
    assertSameAnswers(original, back);
    // Least recently used first.
    assertThat(written.findValuesAsText("type")).containsExactly("CNAME", "AAAA", "A");
    WeightedRecordSets.View api = back.view(API).orElseThrow();
    assertThat(api.complete()).isTrue();
    assertThat(api.members().get("red").deleted()).isTrue();
    assertThat(api.members().get("blue").asOf()).isEqualTo(T1); // nanoseconds kept
    assertThat(back.previous(API).orElseThrow().unknown()).containsExactlyInAnyOrder("red", "old");
    assertThat(back.previous(WWW)).isEmpty(); // the late change did not replace "before"
    assertThat(back.current(BARE).orElseThrow().weights()).isEmpty();
    assertThat(codec.isEmpty(back)).isFalse();
  }

  @Test
  void theReadBackStateGoesOnAsTheOriginal() {
    WeightedRecordSets original = sample();
    WeightedRecordSets back = codec.read(codec.write(original));
    for (WeightedRecordSets s : List.of(original, back)) {
      // A late change leaves newer members alone; a newer one replaces them and the snapshots.
      s.record(API, null, weights("green", 1L), Map.of(), null, T1.minusSeconds(1), "late");
      s.record(
          WWW,
          weights("a", 7L),
          weights("c", 3L),
          Map.of("c", "c.example.net"),
          new WeightedRecordSets.Snapshot(weights("a", 1L), Set.of("b"), T3, "e5"),
          T3.plusSeconds(1),
          "e5");
    }
    assertSameAnswers(original, back);
    assertThat(codec.write(back)).isEqualTo(codec.write(original));
  }

  @Test
  void anEmptyStateIsEmptyBothWays() {
    WeightedRecordSets empty = new WeightedRecordSets();
    assertThat(codec.isEmpty(empty)).isTrue();
    JsonNode written = codec.write(empty);
    assertThat(written.toString()).isEqualTo("{\"groups\":[]}");
    assertThat(codec.isEmpty(codec.read(written))).isTrue();
    assertThat(codec.name()).isEqualTo("weights");
    assertThat(codec.kind()).isEqualTo(WeightedRecordSets.class);
  }
}
