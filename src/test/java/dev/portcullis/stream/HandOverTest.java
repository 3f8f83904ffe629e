package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.stream.ChangeRecord.Observation;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * What the decode keeps for the judge: given once, to this process only, bounded in count and age.
 */
class HandOverTest {

  static ChangeRecord record(String key) {
    return ChangeRecord.observation(
        new Observation("bucket", key, true, Instant.parse("2026-12-03T10:00:00Z")));
  }

  static RecordHeaders headers(byte[] token) {
    RecordHeaders h = new RecordHeaders();
    if (token != null) {
      h.add(HandOver.HEADER, token);
    }
    return h;
  }

  @Test
  void aRecordIsHandedOverOnceToTheRecordThatCarriesItsToken() {
    HandOver h = new HandOver();
    ChangeRecord a = record("a");
    ChangeRecord b = record("b");
    byte[] ta = h.offer(a, 0);
    byte[] tb = h.offer(b, 0);
    assertThat(h.take(headers(tb))).isSameAs(b);
    assertThat(h.take(headers(ta))).isSameAs(a);
    // Read again (a rebalance, a restarted task): parsed from the topic like any other record.
    assertThat(h.take(headers(ta))).isNull();
    assertThat(h.size()).isZero();
  }

  @Test
  void tokensOfAnotherProcessNoTokenOrABrokenOneAreNotTaken() {
    HandOver mine = new HandOver();
    HandOver theirs = new HandOver();
    mine.offer(record("a"), 0);
    byte[] token = theirs.offer(record("b"), 0); // same sequence number, another process id
    assertThat(mine.take(headers(token))).isNull();
    assertThat(mine.take(headers(null))).isNull();
    assertThat(mine.take(null)).isNull();
    assertThat(mine.take(headers(new byte[] {1, 2, 3}))).isNull();
    assertThat(mine.size()).isEqualTo(1);
  }

  @Test
  void whenFullNewRecordsAreRefusedAndWhatNobodyTookExpires() {
    HandOver h = new HandOver(2, 1_000);
    byte[] first = h.offer(record("a"), 0);
    assertThat(h.offer(record("b"), 500)).isNotNull();
    // Full: the oldest are the next the judge reads, so the newcomer is the one left to parse.
    assertThat(h.offer(record("c"), 900)).isNull();
    assertThat(h.size()).isEqualTo(2);
    // The first is older than the limit by now: dropped, room for the next.
    byte[] late = h.offer(record("d"), 1_200);
    assertThat(late).isNotNull();
    assertThat(h.take(headers(first))).isNull();
    assertThat(h.take(headers(late)).observation().key()).isEqualTo("d");
  }
}
