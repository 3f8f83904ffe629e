package dev.portcullis.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RecentDecisionsTest {

  static RecentDecisions keeping(int recent) {
    RecentDecisions r = new RecentDecisions();
    r.json = new ObjectMapper();
    r.config =
        new ConsoleConfig() {
          @Override
          public boolean enabled() {
            return true;
          }

          @Override
          public int recent() {
            return recent;
          }

          @Override
          public int readBack() {
            return 10;
          }

          @Override
          public Duration session() {
            return Duration.ofHours(1);
          }
        };
    return r;
  }

  static byte[] record(String id, String policy, String details) {
    String decisions =
        policy == null
            ? "[]"
            : "[{\"policy\":\"" + policy + "\",\"action\":\"alert\",\"details\":" + details + "}]";
    return ("{\"eventId\":\""
            + id
            + "\",\"decidedAt\":\""
            + Instant.now()
            + "\",\"decisions\":"
            + decisions
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static RecordHeaders input(int partition, long offset) {
    RecordHeaders h = new RecordHeaders();
    h.add("input-topic", "portcullis.cloudtrail".getBytes(StandardCharsets.UTF_8));
    h.add("input-partition", String.valueOf(partition).getBytes(StandardCharsets.UTF_8));
    h.add("input-offset", String.valueOf(offset).getBytes(StandardCharsets.UTF_8));
    return h;
  }

  @Test
  void keepsTheLatestRecordsNewestFirstAndForgetsTheOldest() {
    RecentDecisions r = keeping(3);
    for (int i = 1; i <= 5; i++) {
      r.add("e" + i, record("e" + i, null, "{}"), 0, i, new RecordHeaders());
    }
    assertThat(r.latest(e -> true, 10))
        .extracting(RecentDecisions.Entry::id)
        .containsExactly("e5", "e4", "e3");
    assertThat(r.latest(e -> true, 2)).hasSize(2);
    assertThat(r.about("e1")).isEmpty();
    assertThat(r.about("e4")).hasSize(1);
  }

  @Test
  void aRevertIsFoundWithTheEventItReverts() {
    RecentDecisions r = keeping(10);
    r.add("e1", record("e1", "etcd-control-files", "{}"), 0, 1, input(3, 42));
    r.add(
        "e1/revert/etcd-control-files",
        record("e1/revert/etcd-control-files", "etcd-control-files", "{\"revertOf\":\"e1\"}"),
        0,
        2,
        new RecordHeaders());
    List<RecentDecisions.Entry> about = r.about("e1");
    assertThat(about)
        .extracting(RecentDecisions.Entry::id)
        .containsExactly("e1", "e1/revert/etcd-control-files");
    RecentDecisions.Entry own = about.get(0);
    assertThat(own.inputTopic()).isEqualTo("portcullis.cloudtrail");
    assertThat(own.inputPartition()).isEqualTo(3);
    assertThat(own.inputOffset()).isEqualTo(42L);
  }

  @Test
  void countsDecisionsPerPolicyPerMinuteAndSkipsWhatIsNotJson() {
    RecentDecisions r = keeping(10);
    r.add("a", record("a", "etcd-control-files", "{}"), 0, 1, new RecordHeaders());
    r.add("b", record("b", "etcd-control-files", "{}"), 0, 2, new RecordHeaders());
    r.add("c", record("c", null, "{}"), 0, 3, new RecordHeaders());
    r.add("d", "not json".getBytes(StandardCharsets.UTF_8), 0, 4, new RecordHeaders());
    r.add("e", "[1]".getBytes(StandardCharsets.UTF_8), 0, 5, new RecordHeaders());
    assertThat(r.unreadable()).isEqualTo(2);
    int etcd = 0;
    int none = 0;
    for (var m : r.perMinute().values()) {
      etcd += m.getOrDefault("etcd-control-files", 0);
      none += m.getOrDefault("none", 0);
    }
    assertThat(etcd).isEqualTo(2);
    assertThat(none).isEqualTo(1);
  }

  @Test
  void listenersGetEachNewRecordUntilRemoved() {
    RecentDecisions r = keeping(10);
    List<String> seen = new ArrayList<>();
    Runnable stop = r.listen(e -> seen.add(e.id()));
    r.add("a", record("a", null, "{}"), 0, 1, new RecordHeaders());
    stop.run();
    r.add("b", record("b", null, "{}"), 0, 2, new RecordHeaders());
    assertThat(seen).containsExactly("a");
  }
}
