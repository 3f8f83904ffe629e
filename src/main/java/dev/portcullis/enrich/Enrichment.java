package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.event.ChangeEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an event into the extra facts the rules see: asks every {@link Enricher} which lookups the
 * event needs, asks the {@link Lookups} in force for each, and returns the answers as {@link
 * LookupResult}s. Thread-safe when its enrichers and lookups are.
 *
 * <p>To add enrichment: write an {@link Enricher} and list it in {@link #standard()}; give the
 * service a real {@link Lookups} bean (it replaces the default one, see {@code LookupsProducer});
 * write test cases whose {@code mocks:} answer the lookup by name.
 */
public final class Enrichment {

  private final List<Enricher> enrichers;

  public Enrichment(List<Enricher> enrichers) {
    this.enrichers = List.copyOf(enrichers);
  }

  /** The enrichers every path uses (none yet: S3 and Route53 enrichment come later). */
  public static Enrichment standard() {
    return new Enrichment(List.of());
  }

  public List<Enricher> enrichers() {
    return enrichers;
  }

  /** The facts to insert beside the event; empty when no enricher needs anything. */
  public List<Object> facts(ChangeEvent event, Lookups lookups) {
    if (enrichers.isEmpty()) {
      return List.of();
    }
    Set<LookupRequest> requests = new LinkedHashSet<>();
    for (Enricher e : enrichers) {
      requests.addAll(e.lookupsFor(event));
    }
    List<Object> facts = new ArrayList<>(requests.size());
    for (LookupRequest r : requests) {
      Optional<JsonNode> answer = lookups.find(r.name(), r.key());
      answer.ifPresent(a -> facts.add(new LookupResult(r.name(), r.key(), a)));
    }
    return facts;
  }
}
