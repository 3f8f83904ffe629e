package dev.portcullis.protect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Protection state written, read back and written again: the same JSON, the same answers. */
class ProtectionStateCodecTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T1 = Instant.parse("2026-11-20T10:00:00.123456789Z");
  static final Instant T2 = Instant.parse("2026-11-20T11:00:00Z");
  static final Instant T3 = Instant.parse("2026-11-20T12:00:00Z");

  final ProtectionStateCodec codec = new ProtectionStateCodec();

  static JsonNode tree(String json) throws Exception {
    return JSON.readTree(json);
  }

  static ProtectionState sample() throws Exception {
    ProtectionState s = new ProtectionState();
    s.keyPresent("etcd", "backups/etcd.db", T1, ProtectionState.Seen.WRITTEN);
    s.keyPresent("etcd", "backups/etcd-2.db", T2, ProtectionState.Seen.LISTED);
    s.keyDeleted("etcd", "backups/etcd.db", T3);
    s.keyPresent("etcd", "control/guard", T2, ProtectionState.Seen.GUARDED);
    s.clusterRoot("kops", "prod.example.com", T2);
    s.clusterRoot("kops", "", T1);
    s.lifecycle("kops", tree("{\"Rule\":{\"ID\":\"keep\",\"Status\":\"Enabled\"}}"), T1, "e1");
    s.lifecycle("kops", null, T2, "e2");
    s.lifecycle("kops", tree("{\"Rule\":[{\"ID\":\"a\"},{\"ID\":\"b\"}]}"), T2, "e2b");
    s.lifecycle("kops", tree("{\"Rule\":{\"ID\":\"expire\"}}"), T3, "e3");
    s.lifecycle("only-lifecycle", null, T3, "e4");
    return s;
  }

  /** Every question the state answers, for these buckets and events. */
  static void assertSameAnswers(ProtectionState a, ProtectionState b) {
    for (String bucket : List.of("etcd", "kops", "only-lifecycle", "unknown")) {
      assertThat(b.knowsProtectedKeys(bucket)).isEqualTo(a.knowsProtectedKeys(bucket));
      assertThat(b.keys(bucket)).isEqualTo(a.keys(bucket));
      assertThat(b.clusterRoots(bucket)).isEqualTo(a.clusterRoots(bucket));
      assertThat(b.lifecycle(bucket)).isEqualTo(a.lifecycle(bucket));
      for (String event : List.of("e1", "e2", "e2b", "e3", "e4", "none")) {
        assertThat(b.lifecycleBefore(bucket, event))
            .as(bucket + " before " + event)
            .isEqualTo(a.lifecycleBefore(bucket, event));
      }
    }
  }

  @Test
  void everyBucketRoundTripsAndAnswersAsBefore() throws Exception {
    ProtectionState original = sample();
    JsonNode written = codec.write(original);
    ProtectionState back = codec.read(JSON.readTree(JSON.writeValueAsBytes(written)));
    assertThat(codec.write(back)).isEqualTo(written);
    assertSameAnswers(original, back);
    assertThat(back.keys("etcd"))
        .extracting(ProtectionState.KeyState::key)
        .containsExactly("backups/etcd.db", "backups/etcd-2.db", "control/guard");
    assertThat(back.keys("etcd").get(0).written()).isEqualTo(T1); // nanoseconds kept
    assertThat(back.lifecycleBefore("kops", "e3").orElseThrow().eventId()).isEqualTo("e2b");
    assertThat(back.lifecycleBefore("kops", "e2b").orElseThrow().configuration()).isNull();
    assertThat(written.at("/buckets/etcd/keys/0/how").asText()).isEqualTo("WRITTEN");
    assertThat(written.at("/buckets/kops/clusterRoots").has("")).isTrue();
    assertThat(codec.isEmpty(back)).isFalse();
  }

  @Test
  void theReadBackStateGoesOnAsTheOriginal() throws Exception {
    ProtectionState original = sample();
    ProtectionState back = codec.read(codec.write(original));
    for (ProtectionState s : List.of(original, back)) {
      s.keyPresent("etcd", "backups/etcd.db", T2, ProtectionState.Seen.WRITTEN); // late: ignored
      s.keyDeleted("etcd", "control/guard", T3);
      s.clusterRoot("kops", "prod.example.com", T1); // an earlier first sighting
      s.lifecycle("kops", null, T3, "e3"); // the same event again
      s.lifecycle("kops", null, T2, "e2c"); // slots in by its time
    }
    assertSameAnswers(original, back);
    assertThat(codec.write(back)).isEqualTo(codec.write(original));
  }

  @Test
  void anEmptyStateIsEmptyBothWays() {
    ProtectionState empty = new ProtectionState();
    assertThat(codec.isEmpty(empty)).isTrue();
    JsonNode written = codec.write(empty);
    assertThat(written.toString()).isEqualTo("{\"buckets\":{}}");
    assertThat(codec.isEmpty(codec.read(written))).isTrue();
    assertThat(codec.name()).isEqualTo("protection");
    assertThat(codec.kind()).isEqualTo(ProtectionState.class);
  }

  @Test
  void readingKeepsTheBounds() throws Exception {
    StringBuilder lifecycle = new StringBuilder();
    for (int i = 0; i < ProtectionState.LIFECYCLE_HISTORY + 2; i++) {
      // Oldest first, as no writer of this codec would have it.
      lifecycle.append(i == 0 ? "" : ",");
      lifecycle.append("{\"at\":\"").append(T1.plusSeconds(i)).append("\",\"eventId\":\"l");
      lifecycle.append(i).append("\"}");
    }
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < ProtectionState.MAX_KEYS_PER_BUCKET + 3; i++) {
      keys.append(i == 0 ? "" : ",");
      keys.append("{\"key\":\"k").append(i).append("\",\"written\":\"").append(T1);
      keys.append("\",\"how\":\"LISTED\"}");
    }
    ProtectionState s =
        codec.read(
            tree(
                "{\"buckets\":{\"b\":{\"firstSeen\":\""
                    + T1
                    + "\",\"keys\":["
                    + keys
                    + "],\"lifecycle\":["
                    + lifecycle
                    + "]}}}"));
    assertThat(s.keys("b")).hasSize(ProtectionState.MAX_KEYS_PER_BUCKET);
    assertThat(s.keys("b").get(0).key()).isEqualTo("k3");
    int newest = ProtectionState.LIFECYCLE_HISTORY + 1;
    assertThat(s.lifecycle("b").orElseThrow().eventId()).isEqualTo("l" + newest);
    assertThat(s.lifecycleBefore("b", "l" + newest).orElseThrow().eventId())
        .isEqualTo("l" + (newest - 1));
    assertThat(s.lifecycleBefore("b", "l2")).isEmpty(); // l1 and l0 are beyond the history
    assertThat(s.clusterRoots("b")).isEmpty();
  }
}
