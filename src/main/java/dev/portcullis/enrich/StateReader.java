package dev.portcullis.enrich;

import dev.portcullis.event.ChangeEvent;

/**
 * Reads, for a dry run, the state the stream learned about an event's scope: a copy the caller may
 * not write back. The stream's implementation reads the state stores this instance holds; an
 * instance that does not hold the event's scope (another instance owns its partition) answers with
 * what it has, which may be nothing.
 */
public interface StateReader {

  /** No learned state at all. */
  StateReader NONE = e -> new StateStore();

  /** The state of the event's scope as this instance knows it. */
  StateStore read(ChangeEvent event);
}
