package dev.portcullis.enrich;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Holds the state fact providers keep across events, one object per kind (a provider's own
 * thread-safe state class). On the stream, a store holds the state of one scope (one bucket, one
 * hosted zone...), read from the durable state stores before an event is judged and written back
 * after it ({@code dev.portcullis.stream}); each policy test case gets a fresh one, so cases never
 * see each other's events.
 */
public final class StateStore {

  private final ConcurrentHashMap<Class<?>, Object> states = new ConcurrentHashMap<>();

  public StateStore() {}

  /** A store that starts with these objects (state read back from a durable store). */
  public StateStore(Map<Class<?>, Object> initial) {
    initial.forEach(
        (kind, value) -> {
          if (!kind.isInstance(value)) {
            throw new IllegalArgumentException(value + " is no " + kind.getName());
          }
          states.put(kind, value);
        });
  }

  /** The state of the given kind, created on first use. */
  public <T> T of(Class<T> kind, Supplier<T> create) {
    return kind.cast(states.computeIfAbsent(kind, k -> create.get()));
  }

  /** The state of the given kind if some provider created or loaded it; null otherwise. */
  public <T> T peek(Class<T> kind) {
    return kind.cast(states.get(kind));
  }
}
