package dev.portcullis.protect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** State judged by event time: late events never overwrite what later ones recorded. */
class ProtectionStateTest {

  static final Instant T1 = Instant.parse("2026-11-20T10:00:00Z");
  static final Instant T2 = Instant.parse("2026-11-20T11:00:00Z");
  static final Instant T3 = Instant.parse("2026-11-20T12:00:00Z");

  @Test
  void keysAreWrittenAndDeletedInEventTimeOrder() {
    ProtectionState s = new ProtectionState();
    assertThat(s.knowsProtectedKeys("b")).isFalse();
    s.keyPresent("b", "k", T1, ProtectionState.Seen.WRITTEN);
    assertThat(s.keys("b")).singleElement().satisfies(k -> assertThat(k.present()).isTrue());
    s.keyDeleted("b", "k", T2);
    assertThat(s.keys("b").get(0).present()).isFalse();
    assertThat(s.knowsProtectedKeys("b")).isTrue();
    // A late write (before the delete) does not bring it back; a later one does.
    s.keyPresent("b", "k", T1.minusSeconds(60), ProtectionState.Seen.WRITTEN);
    assertThat(s.keys("b").get(0).present()).isFalse();
    s.keyPresent("b", "k", T3, ProtectionState.Seen.LISTED);
    assertThat(s.keys("b").get(0).present()).isTrue();
    assertThat(s.keys("b").get(0).how()).isEqualTo(ProtectionState.Seen.LISTED);
    // A late delete does not hide the newer write.
    s.keyDeleted("b", "k", T2.plusSeconds(1));
    assertThat(s.keys("b").get(0).present()).isTrue();
    // Deleting an unknown key records nothing.
    s.keyDeleted("other", "k", T3);
    assertThat(s.knowsProtectedKeys("other")).isFalse();
  }

  @Test
  void keysPerBucketAreBounded() {
    ProtectionState s = new ProtectionState();
    for (int i = 0; i < ProtectionState.MAX_KEYS_PER_BUCKET + 5; i++) {
      s.keyPresent("b", "k" + i, T1, ProtectionState.Seen.WRITTEN);
    }
    assertThat(s.keys("b")).hasSize(ProtectionState.MAX_KEYS_PER_BUCKET);
    assertThat(s.keys("b").get(0).key()).isEqualTo("k5");
  }

  @Test
  void clusterRootsMakeAStateStore() {
    ProtectionState s = new ProtectionState();
    assertThat(s.clusterRoots("kops")).isEmpty();
    s.clusterRoot("kops", "prod.example.com", T2);
    s.clusterRoot("kops", "", T1);
    assertThat(s.clusterRoots("kops")).containsExactly("", "prod.example.com");
  }

  @Test
  void lifecycleHistoryGivesTheConfigurationAChangeReplaced() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ProtectionState s = new ProtectionState();
    var keepLogs = json.readTree("{\"Rule\":{\"ID\":\"keep-logs\"}}");
    var expireAll = json.readTree("{\"Rule\":{\"ID\":\"expire-all\"}}");
    s.lifecycle("b", keepLogs, T1, "e1");
    s.lifecycle("b", expireAll, T3, "e3");
    assertThat(s.lifecycle("b").orElseThrow().eventId()).isEqualTo("e3");
    assertThat(s.lifecycleBefore("b", "e3").orElseThrow().configuration()).isEqualTo(keepLogs);
    assertThat(s.lifecycleBefore("b", "e1")).isEmpty();
    // A late event slots in by its time and does not become the newest.
    s.lifecycle("b", null, T2, "e2");
    assertThat(s.lifecycle("b").orElseThrow().eventId()).isEqualTo("e3");
    assertThat(s.lifecycleBefore("b", "e3").orElseThrow().eventId()).isEqualTo("e2");
    assertThat(s.lifecycleBefore("b", "e3").orElseThrow().configuration()).isNull();
    // The same event twice is one entry.
    s.lifecycle("b", expireAll, T3, "e3");
    assertThat(s.lifecycleBefore("b", "e3").orElseThrow().eventId()).isEqualTo("e2");
    for (int i = 0; i < 10; i++) {
      s.lifecycle("b", keepLogs, T3.plusSeconds(i + 1), "n" + i);
    }
    assertThat(s.lifecycle("b").orElseThrow().eventId()).isEqualTo("n9");
    assertThat(s.lifecycleBefore("b", "n9").orElseThrow().eventId()).isEqualTo("n8");
    assertThat(s.lifecycleBefore("b", "n5")).isEmpty(); // beyond the kept history
    assertThat(s.lifecycle("unknown")).isEmpty();
  }
}
