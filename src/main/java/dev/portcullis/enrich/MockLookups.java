package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lookups answered from a policy test case's {@code mocks:}: one answer per lookup name, whatever
 * the key. Remembers which names were asked, so a mock no enricher asks for (a typo, or a lookup
 * that does not exist) fails the case instead of silently doing nothing.
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
    return Optional.ofNullable(answers.get(name));
  }

  /** Mock names that no enricher asked for. */
  public synchronized Set<String> unused() {
    Set<String> unused = new TreeSet<>(answers.keySet());
    unused.removeAll(asked);
    return unused;
  }
}
