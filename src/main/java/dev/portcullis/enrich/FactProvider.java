package dev.portcullis.enrich;

import dev.portcullis.event.ChangeEvent;
import java.util.List;

/**
 * Works out facts about an event before the rules judge it: typed readings of the request (the
 * rules of a lifecycle configuration, the members of a weighted record set), what configured
 * identities or protected objects it involves, what earlier events left in state. The judgement
 * itself stays in the rules; a provider only states facts.
 *
 * <p>Providers run on the stream, in {@code POST /v1/evaluate} and in policy test cases alike, and
 * see the world only through the {@link FactContext}: lookups (mocked in tests), the policies'
 * parameters, and state. A provider that keeps state records an event only when {@link
 * FactContext#recordsState()} says so, and only when the event took effect.
 */
public interface FactProvider {

  /** Facts about the event for the rules; empty when it has nothing to say. */
  List<Object> facts(ChangeEvent event, FactContext context);
}
