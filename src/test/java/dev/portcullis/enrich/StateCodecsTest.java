package dev.portcullis.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.route53.PendingMirrors;
import dev.portcullis.enrich.route53.WeightedRecordSets;
import dev.portcullis.protect.ProtectionState;
import org.junit.jupiter.api.Test;

/** One codec per state kind, found by name and by kind; a fresh state of each kind is empty. */
class StateCodecsTest {

  @Test
  void theStandardCodecsHaveUniqueNamesAndKinds() {
    assertThat(StateCodecs.standard())
        .extracting(StateCodec::name)
        .containsExactly("protection", "weights", "mirrors", "watermark");
    assertThat(StateCodecs.standard())
        .<Object>extracting(StateCodec::kind)
        .containsExactly(
            ProtectionState.class,
            WeightedRecordSets.class,
            PendingMirrors.class,
            EventTimeWatermark.class);
  }

  @Test
  void codecsAreFoundByNameAndByKind() {
    for (StateCodec<?> c : StateCodecs.standard()) {
      assertThat(StateCodecs.byName(c.name())).isSameAs(c);
      assertThat(StateCodecs.byKind(c.kind())).isSameAs(c);
    }
    assertThat(StateCodecs.byName("nothing")).isNull();
    assertThat(StateCodecs.byName(null)).isNull();
    assertThat(StateCodecs.byKind(String.class)).isNull();
    StateCodec<PendingMirrors> typed = StateCodecs.byKind(PendingMirrors.class);
    assertThat(typed.isEmpty(new PendingMirrors())).isTrue();
  }

  @Test
  void aFreshStateOfEveryKindIsEmptyAndStaysEmptyThroughItsCodec() throws Exception {
    for (StateCodec<?> c : StateCodecs.standard()) {
      emptyRoundTrip(c);
    }
  }

  private static <T> void emptyRoundTrip(StateCodec<T> codec) throws Exception {
    T fresh = codec.kind().getDeclaredConstructor().newInstance();
    assertThat(codec.isEmpty(fresh)).as(codec.name()).isTrue();
    JsonNode written = codec.write(fresh);
    assertThat(written).as(codec.name()).isNotNull();
    T back = codec.read(written);
    assertThat(back).as(codec.name()).isInstanceOf(codec.kind());
    assertThat(codec.isEmpty(back)).as(codec.name()).isTrue();
    assertThat(codec.write(back)).as(codec.name()).isEqualTo(written);
  }
}
