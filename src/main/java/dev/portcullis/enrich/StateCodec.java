package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How one kind of learned state is written to and read back from a durable state store: a JSON tree
 * with stable field names, so a state written by one version of Portcullis is read by the next. The
 * stream keeps each kind per scope (a bucket, a hosted zone, ...): one object holds what is known
 * of that scope only, and is written back after every event that changed it.
 *
 * @param <T> the state class (a {@link FactProvider}'s own state, kept in a {@link StateStore})
 */
public interface StateCodec<T> {

  /** The state class. */
  Class<T> kind();

  /** A short stable name, part of the store key ({@code protection}, {@code weights}, ...). */
  String name();

  /** The state as JSON; never null. */
  JsonNode write(T state);

  /** A state read back from what {@link #write} wrote. */
  T read(JsonNode json);

  /** True when the state holds nothing worth keeping (its store entry is then deleted). */
  boolean isEmpty(T state);
}
