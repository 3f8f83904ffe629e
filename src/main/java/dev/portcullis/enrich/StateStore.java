package dev.portcullis.enrich;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Holds the state fact providers keep across events, one object per kind (a provider's own
 * thread-safe state class). The service has one store; each policy test case gets a fresh one, so
 * cases never see each other's events.
 */
public final class StateStore {

  private final ConcurrentHashMap<Class<?>, Object> states = new ConcurrentHashMap<>();

  /** The state of the given kind, created on first use. */
  public <T> T of(Class<T> kind, Supplier<T> create) {
    return kind.cast(states.computeIfAbsent(kind, k -> create.get()));
  }
}
