package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every policy's parameters as one group of {@link PolicyParameters} facts. {@link Enrichment}
 * hands out the same object for as long as the parameters in force are the same map, so a reused
 * Drools session sees at once that the parameters it holds are still right and keeps them inserted
 * ({@code PolicySet}): with 1,000 policies, checking them one by one would cost more per event than
 * the rules.
 */
public final class ParameterSet {

  private final Map<String, JsonNode> source;
  private final List<PolicyParameters> all;

  /** A group of its own (tests, callers without an {@link Enrichment}). */
  public static ParameterSet of(Map<String, JsonNode> parameters) {
    return new ParameterSet(parameters);
  }

  private ParameterSet(Map<String, JsonNode> source) {
    this.source = source;
    List<PolicyParameters> list = new ArrayList<>(source.size());
    source.forEach((policy, values) -> list.add(new PolicyParameters(policy, values)));
    this.all = List.copyOf(list);
  }

  /** The parameters of each policy that has any, one fact per policy. */
  public List<PolicyParameters> all() {
    return all;
  }

  /** True when this group was made from that very map of parameters. */
  boolean madeFrom(Map<String, JsonNode> parameters) {
    return source == parameters;
  }

  @Override
  public String toString() {
    return "ParameterSet" + all;
  }
}
