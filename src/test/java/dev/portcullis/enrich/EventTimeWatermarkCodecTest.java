package dev.portcullis.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watermark written, read back and written again: the same JSON, the same newest time. */
class EventTimeWatermarkCodecTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T = Instant.parse("2026-11-24T10:00:00.123456789Z");

  final EventTimeWatermarkCodec codec = new EventTimeWatermarkCodec();

  @Test
  void theNewestTimeRoundTripsAndTheWatermarkGoesOnAsTheOriginal() throws Exception {
    EventTimeWatermark original = new EventTimeWatermark();
    original.observe(T);
    original.observe(T.minusSeconds(60)); // older: does not move it
    JsonNode written = codec.write(original);
    assertThat(written.toString()).isEqualTo("{\"newest\":\"2026-11-24T10:00:00.123456789Z\"}");
    EventTimeWatermark back = codec.read(JSON.readTree(JSON.writeValueAsBytes(written)));
    assertThat(codec.write(back)).isEqualTo(written);
    assertThat(back.newest()).isEqualTo(original.newest()).isEqualTo(T);
    assertThat(codec.isEmpty(back)).isFalse();
    for (EventTimeWatermark w : List.of(original, back)) {
      w.observe(T.minusNanos(1));
      assertThat(w.newest()).isEqualTo(T);
      w.observe(T.plusNanos(1));
      assertThat(w.newest()).isEqualTo(T.plusNanos(1));
    }
  }

  @Test
  void aWatermarkBeforeTheFirstEventIsEmpty() {
    EventTimeWatermark empty = new EventTimeWatermark();
    assertThat(codec.isEmpty(empty)).isTrue();
    JsonNode written = codec.write(empty);
    assertThat(written.toString()).isEqualTo("{}");
    EventTimeWatermark back = codec.read(written);
    assertThat(back.newest()).isNull();
    assertThat(codec.isEmpty(back)).isTrue();
    assertThat(codec.name()).isEqualTo("watermark");
    assertThat(codec.kind()).isEqualTo(EventTimeWatermark.class);
  }
}
