package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;

/**
 * What a {@link FactProvider} may consult while it works out facts about one event.
 *
 * @param lookups read-only answers about the world (AWS in the service, {@code mocks:} in tests)
 * @param parameters each policy's parameters by policy id: the defaults in its {@code policy.yaml},
 *     overridden by configuration ({@code portcullis.policy.parameters."<id>"}) or by a test case
 * @param state what earlier events left behind (one store per service; a fresh one per test case)
 * @param recordsState true when this evaluation may change state: the stream and test cases; false
 *     for dry runs ({@code POST /v1/evaluate}), which read state but never change it
 */
public record FactContext(
    Lookups lookups, Map<String, JsonNode> parameters, StateStore state, boolean recordsState) {

  private static final JsonNode NONE = JsonNodeFactory.instance.objectNode();

  /** The parameters of one policy; an empty object when it has none. Treat as read-only. */
  public JsonNode parameters(String policy) {
    return parameters.getOrDefault(policy, NONE);
  }
}
