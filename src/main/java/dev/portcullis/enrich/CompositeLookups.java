package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The service's {@link Lookups}: routes each lookup to the {@link LookupFamily} named by the part
 * of its name before the first dot ({@code s3.objects} to {@code s3}). A name of no configured
 * family has no answer. A family that throws despite its contract is treated as failed, so one
 * broken family never loses a decision.
 */
public final class CompositeLookups implements Lookups {

  private final Map<String, LookupFamily> families = new LinkedHashMap<>();

  /**
   * @throws IllegalArgumentException when two families share a name
   */
  public CompositeLookups(List<LookupFamily> families) {
    for (LookupFamily f : families) {
      if (this.families.putIfAbsent(f.family(), f) != null) {
        throw new IllegalArgumentException("two lookup families are named '" + f.family() + "'");
      }
    }
  }

  /** The family names, in the order given. */
  public List<String> families() {
    return List.copyOf(families.keySet());
  }

  @Override
  public Optional<JsonNode> find(String name, String key) {
    LookupFamily f = familyOf(name);
    if (f == null) {
      return Optional.empty();
    }
    try {
      Optional<JsonNode> answer = f.find(name, key);
      return answer == null ? Optional.empty() : answer;
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean serves(String name) {
    return familyOf(name) != null;
  }

  private LookupFamily familyOf(String name) {
    int dot = name == null ? -1 : name.indexOf('.');
    return dot <= 0 ? null : families.get(name.substring(0, dot));
  }
}
