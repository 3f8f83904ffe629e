package dev.portcullis.protect;

import java.time.Instant;

/**
 * Where the guard tells what it saw of a protected object, so the stream records it in the bucket's
 * state (a bucket whose protected object the guard watches counts as holding protected keys). The
 * stream's implementation writes to the changes topic, keyed by the bucket's scope.
 */
public interface GuardObservations {

  /** Tells nobody (policy test cases, a service without the stream). */
  GuardObservations NONE = (bucket, key, present, at) -> {};

  /** The object was seen present, or gone, at {@code at}. */
  void seen(String bucket, String key, boolean present, Instant at);
}
