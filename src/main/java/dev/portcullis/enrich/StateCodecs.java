package dev.portcullis.enrich;

import dev.portcullis.enrich.route53.PendingMirrorsCodec;
import dev.portcullis.enrich.route53.WeightedRecordSetsCodec;
import dev.portcullis.protect.ProtectionStateCodec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@link StateCodec}s of the state kinds Portcullis keeps in durable state stores, and lookups
 * by name (from a store key) and by state class (from a {@link StateStore}). A new kind of state is
 * one more entry in {@link #STANDARD}; names and kinds must stay unique (checked when this class
 * loads).
 */
public final class StateCodecs {

  private static final List<StateCodec<?>> STANDARD =
      List.of(
          new ProtectionStateCodec(),
          new WeightedRecordSetsCodec(),
          new PendingMirrorsCodec(),
          new EventTimeWatermarkCodec());

  static {
    Set<String> names = new HashSet<>();
    Set<Class<?>> kinds = new HashSet<>();
    for (StateCodec<?> c : STANDARD) {
      if (!names.add(c.name()) || !kinds.add(c.kind())) {
        throw new IllegalStateException(
            "two state codecs for " + c.name() + " / " + c.kind().getName());
      }
    }
  }

  private StateCodecs() {}

  /** Every codec, one per state kind. */
  public static List<StateCodec<?>> standard() {
    return STANDARD;
  }

  /** The codec with this {@linkplain StateCodec#name() name}; null when there is none. */
  public static StateCodec<?> byName(String name) {
    for (StateCodec<?> c : STANDARD) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  /** The codec of this state class; null when there is none. */
  @SuppressWarnings("unchecked")
  public static <T> StateCodec<T> byKind(Class<T> kind) {
    for (StateCodec<?> c : STANDARD) {
      if (c.kind().equals(kind)) {
        return (StateCodec<T>) c;
      }
    }
    return null;
  }
}
