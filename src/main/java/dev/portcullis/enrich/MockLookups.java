package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lookups answered from a policy test case's {@code mocks:}: one answer per lookup name, whatever
 * the key. A mock whose answer is {@code null} stands for a lookup that is configured and failed
 * (timeout, error), so a case can show the decision made on the event alone. Remembers which names
 * were asked, so a mock no enricher asks for (a typo, or a lookup that does not exist) fails the
 * case instead of silently doing nothing.
 */
public final class MockLookups implements Lookups {

  private final Map<String, JsonNode> answers;
  private final Set<String> asked = new LinkedHashSet<>();

  public MockLookups(Map<String, JsonNode> answers) {
    this.answers = Map.copyOf(answers);
  }

  @Override
  public synchronized Optional<JsonNode> find(String name, String key) {
    asked.add(name);
    JsonNode answer = answers.get(name);
    return answer == null || answer.isNull() ? Optional.empty() : Optional.of(answer);
  }

  /** True for every name the case mocks, including failed ({@code null}) ones. */
  @Override
  public boolean serves(String name) {
    return answers.containsKey(name);
  }

  /** Mock names that no enricher asked for. */
  public synchronized Set<String> unused() {
    Set<String> unused = new TreeSet<>(answers.keySet());
    unused.removeAll(asked);
    return unused;
  }
}
