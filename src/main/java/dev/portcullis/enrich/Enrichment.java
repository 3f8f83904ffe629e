package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.route53.WeightShiftFacts;
import dev.portcullis.enrich.route53.ZoneSplitBrainFacts;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.identity.SecretChanges;
import dev.portcullis.protect.S3ProtectionFacts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an event into the extra facts the rules see: the answers of the lookups its {@link
 * Enricher}s ask for ({@link LookupResult}s), the facts its {@link FactProvider}s work out, and
 * each policy's parameters ({@link PolicyParameters}, as one {@link ParameterSet}). Thread-safe
 * when its enrichers, providers and lookups are.
 *
 * <p>To add enrichment: write an {@link Enricher} or a {@link FactProvider} and list it in {@link
 * #standard()}; give the service a real {@link Lookups} bean (it replaces the default one, see
 * {@code LookupsProducer}); write test cases whose {@code mocks:} answer the lookups by name and
 * whose {@code parameters:} set what the case needs.
 */
public final class Enrichment {

  private final List<Enricher> enrichers;
  private final List<FactProvider> providers;

  /** The parameters of the last map seen: the same for every event until the policies change. */
  private volatile ParameterSet parameters;

  public Enrichment(List<Enricher> enrichers) {
    this(enrichers, List.of());
  }

  public Enrichment(List<Enricher> enrichers, List<FactProvider> providers) {
    this.enrichers = List.copyOf(enrichers);
    this.providers = List.copyOf(providers);
  }

  /** The enrichers and fact providers every path uses. */
  public static Enrichment standard() {
    return new Enrichment(
        List.of(),
        List.of(
            new SecretChanges(),
            new S3ProtectionFacts(),
            new WeightShiftFacts(),
            new ZoneSplitBrainFacts()));
  }

  public List<Enricher> enrichers() {
    return enrichers;
  }

  public List<FactProvider> providers() {
    return providers;
  }

  /** The facts to insert beside the event. */
  public List<Object> facts(ChangeEvent event, FactContext context) {
    List<Object> facts = new ArrayList<>();
    facts.add(parameterSet(context.parameters()));
    if (!enrichers.isEmpty()) {
      Set<LookupRequest> requests = new LinkedHashSet<>();
      for (Enricher e : enrichers) {
        requests.addAll(e.lookupsFor(event));
      }
      for (LookupRequest r : requests) {
        Optional<JsonNode> answer = context.lookups().find(r.name(), r.key());
        answer.ifPresent(a -> facts.add(new LookupResult(r.name(), r.key(), a)));
      }
    }
    for (FactProvider p : providers) {
      facts.addAll(p.facts(event, context));
    }
    return facts;
  }

  /** The policies' parameters as one fact group, the same object while the map is the same. */
  ParameterSet parameterSet(Map<String, JsonNode> map) {
    ParameterSet s = parameters;
    if (s == null || !s.madeFrom(map)) {
      s = ParameterSet.of(map);
      parameters = s;
    }
    return s;
  }

  /**
   * Judgements of earlier events that are due now ({@link DeferredFacts}), each with the policies'
   * parameters added to its facts.
   *
   * @param wallClock wall-clock time for judgements due on a quiet stream, or null for event time
   *     alone
   */
  public List<DueEvaluation> due(FactContext context, Instant wallClock) {
    List<DueEvaluation> out = new ArrayList<>();
    for (FactProvider p : providers) {
      if (p instanceof DeferredFacts d) {
        for (DueEvaluation due : d.due(context, wallClock)) {
          List<Object> facts = new ArrayList<>(due.facts());
          facts.add(parameterSet(context.parameters()));
          out.add(new DueEvaluation(due.id(), due.policy(), due.event(), List.copyOf(facts)));
        }
      }
    }
    return out;
  }
}
