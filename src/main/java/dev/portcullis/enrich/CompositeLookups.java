package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Several families of lookups behind one {@link Lookups}: each name goes to the family whose prefix
 * it starts with ({@code route53.} to the Route53 lookups, {@code s3.} to the S3 ones); names of no
 * family are not answered.
 */
public final class CompositeLookups implements Lookups, AutoCloseable {

  private final Map<String, Lookups> families;

  /**
   * @param families lookups by name prefix, e.g. {@code "route53."}
   */
  public CompositeLookups(Map<String, Lookups> families) {
    this.families = new LinkedHashMap<>(families);
  }

  @Override
  public Optional<JsonNode> find(String name, String key) {
    for (Map.Entry<String, Lookups> f : families.entrySet()) {
      if (name.startsWith(f.getKey())) {
        return f.getValue().find(name, key);
      }
    }
    return Optional.empty();
  }

  /** The prefixes answered, in order. */
  public Iterable<String> prefixes() {
    return families.keySet();
  }

  /** Closes the families that hold resources (clients). */
  @Override
  public void close() {
    for (Lookups l : families.values()) {
      if (l instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing at shutdown: nothing left to do about it.
        }
      }
    }
  }
}
