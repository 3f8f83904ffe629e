package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The judge's memory of decided ids: what it keeps, for how long, how many, and that forgetting
 * walks the time-ordered store from its oldest entry.
 */
class DedupMemoryTest {

  static final long MINUTE = 60_000;
  static final long T0 = 1_764_000_000_000L; // 2025-11-24

  KeyValueStore<String, Long> ids;
  KeyValueStore<String, byte[]> byTime;

  @BeforeEach
  void stores() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    ids =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("ids"), Serdes.String(), Serdes.Long())
            .withLoggingDisabled()
            .build();
    byTime =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("by-time"), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    ids.init(context.getStateStoreContext(), ids);
    byTime.init(context.getStateStoreContext(), byTime);
  }

  DedupMemory memory(long windowMillis, int max) {
    DedupMemory m = new DedupMemory(ids, byTime, windowMillis, max);
    m.open();
    return m;
  }

  List<String> timeOrdered() {
    List<String> out = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = byTime.all()) {
      it.forEachRemaining(kv -> out.add(kv.key));
    }
    return out;
  }

  @Test
  void anIdIsClaimedOnceAndKeptFromTheLaterOfItsTimeAndTheNewestSeen() {
    DedupMemory m = memory(60 * MINUTE, 1000);
    assertThat(m.claim("a", T0)).isTrue();
    assertThat(m.claim("a", T0)).isFalse();
    assertThat(m.known("a")).isTrue();
    assertThat(m.claim("late", T0 - 10 * MINUTE)).isTrue();
    // Older than the newest seen: kept from the newest, so a late redelivery stays known.
    assertThat(ids.get("late")).isEqualTo(T0);
    assertThat(ids.get(DedupMemory.NEWEST)).isEqualTo(T0);
    assertThat(timeOrdered())
        .containsExactly(DedupMemory.key(T0, "a"), DedupMemory.key(T0, "late"));
    assertThat(m.size()).isEqualTo(2);
  }

  @Test
  void idsOlderThanTheWindowBehindTheNewestAreForgottenOldestFirst() {
    DedupMemory m = memory(60 * MINUTE, 1000);
    m.claim("old", T0);
    m.claim("middle", T0 + 30 * MINUTE);
    assertThat(m.forget(100)).isZero();
    m.claim("new", T0 + 61 * MINUTE); // the window now starts at T0 + 1 minute
    assertThat(m.forget(100)).isEqualTo(1);
    assertThat(m.known("old")).isFalse();
    assertThat(m.known("middle")).isTrue();
    assertThat(m.known("new")).isTrue();
    assertThat(timeOrdered())
        .containsExactly(
            DedupMemory.key(T0 + 30 * MINUTE, "middle"), DedupMemory.key(T0 + 61 * MINUTE, "new"));
    assertThat(m.size()).isEqualTo(2);
  }

  @Test
  void beyondTheBoundTheOldestAreForgottenAndABacklogIsSpreadOverCalls() {
    DedupMemory m = memory(60 * MINUTE, 3);
    for (int i = 0; i < 10; i++) {
      m.claim("id-" + i, T0 + i * 1000L);
    }
    assertThat(m.forget(4)).isEqualTo(4); // 7 over the bound, at most 4 a call
    assertThat(m.size()).isEqualTo(6);
    assertThat(m.forget(4)).isEqualTo(3);
    assertThat(m.forget(4)).isZero();
    assertThat(m.size()).isEqualTo(3);
    for (int i = 0; i < 10; i++) {
      assertThat(m.known("id-" + i)).as("id-" + i).isEqualTo(i >= 7);
    }
  }

  @Test
  void reopenedItCountsWhatItKeeps() {
    DedupMemory first = memory(60 * MINUTE, 2);
    first.claim("a", T0);
    first.claim("b", T0 + 1);
    first.forget(100); // the tick that writes the count
    DedupMemory again = memory(60 * MINUTE, 2);
    assertThat(again.size()).isEqualTo(2);
    again.claim("c", T0 + 2);
    assertThat(again.forget(100)).isEqualTo(1);
    assertThat(again.known("a")).isFalse();
  }

  @Test
  void reopenedAfterATickItReadsTheCountItWroteInsteadOfCounting() {
    DedupMemory first = memory(60 * MINUTE, 1000);
    first.claim("a", T0);
    first.claim("b", T0 + 1);
    first.forget(100); // a tick: nothing due, the count written
    assertThat(ids.get(DedupMemory.COUNT)).isEqualTo(2L);
    // Proof that it is read, not counted: an entry the count does not know of.
    byTime.put(DedupMemory.key(T0 + 2, "unknown"), new byte[0]);
    assertThat(memory(60 * MINUTE, 1000).size()).isEqualTo(2);
    // An event whose id is the name of an entry of the store is decided at each delivery, never
    // taken for a duplicate (and never decided).
    assertThat(first.known(DedupMemory.COUNT)).isFalse();
    assertThat(first.claim(DedupMemory.COUNT, T0)).isTrue();
    assertThat(first.claim(DedupMemory.NEWEST, T0)).isTrue();
    assertThat(first.claim(DedupMemory.NEWEST, T0)).isTrue();
    assertThat(ids.get(DedupMemory.COUNT)).isEqualTo(2L);
  }

  @Test
  void idsAnOlderVersionKeptWithoutTheTimeOrderedStoreAreOrderedOnceAndForgotten() {
    // What an older Portcullis left: the id store alone.
    ids.put("older-1", T0);
    ids.put("older-2", T0 + 5 * MINUTE);
    ids.put(DedupMemory.NEWEST, T0 + 5 * MINUTE);
    DedupMemory m = memory(60 * MINUTE, 1000);
    assertThat(m.size()).isEqualTo(2);
    assertThat(timeOrdered())
        .containsExactly(
            DedupMemory.key(T0, "older-1"), DedupMemory.key(T0 + 5 * MINUTE, "older-2"));
    assertThat(m.claim("older-1", T0)).isFalse();
    m.claim("new", T0 + 62 * MINUTE);
    assertThat(m.forget(100)).isEqualTo(1);
    assertThat(m.known("older-1")).isFalse();
    assertThat(m.known("older-2")).isTrue();
  }

  @Test
  void anIdKeptFromTheSameMillisecondAsTheLastForgottenIsStillForgottenInItsTurn() {
    DedupMemory m = memory(60 * MINUTE, 1);
    m.claim("m", T0);
    m.claim("z", T0);
    assertThat(m.forget(100)).isEqualTo(1); // "m", the first key of that millisecond
    m.claim("a", T0); // the same millisecond, a key before the one just forgotten
    assertThat(m.forget(100)).isEqualTo(1);
    assertThat(m.known("a")).as("the oldest key went first").isFalse();
    assertThat(m.known("z")).isTrue();
    assertThat(timeOrdered()).containsExactly(DedupMemory.key(T0, "z"));
  }

  @Test
  void aCountShortAfterACrashKeepsTheBoundLateNeverEarlyAndForgettingByTimeGoesOn() {
    DedupMemory first = memory(60 * MINUTE, 2);
    first.forget(100); // a tick writes the count: 0
    first.claim("a", T0); // claimed and committed after the tick, then a crash
    first.claim("b", T0 + 1);
    DedupMemory again = memory(60 * MINUTE, 2);
    assertThat(again.size()).isZero(); // short by the two
    again.claim("c", T0 + 2);
    again.claim("d", T0 + 3);
    // Four kept, counted as two: the bound of two is not applied yet (late, not early).
    assertThat(again.forget(100)).isZero();
    again.claim("e", T0 + 4);
    assertThat(again.forget(100)).isEqualTo(1);
    assertThat(again.known("a")).isFalse();
    // Forgetting by time does not depend on the count.
    again.claim("new", T0 + 61 * MINUTE);
    assertThat(again.forget(100)).isEqualTo(4);
    assertThat(timeOrdered()).containsExactly(DedupMemory.key(T0 + 61 * MINUTE, "new"));
  }

  @Test
  void timeOrderedKeysSortAsTheirTimes() {
    assertThat(DedupMemory.key(999, "z")).isLessThan(DedupMemory.key(1000, "a"));
    assertThat(DedupMemory.key(-5, "x")).isEqualTo(DedupMemory.key(0, "x"));
    // The stored format: a store written by an earlier version is read with the same keys.
    assertThat(DedupMemory.key(1_764_700_000_123L, "ev-1")).isEqualTo("1764700000123|ev-1");
    assertThat(DedupMemory.key(7, "a|b")).isEqualTo("0000000000007|a|b");
    assertThat(DedupMemory.key(12_345_678_901_234L, "x")).isEqualTo("12345678901234|x");
  }
}
