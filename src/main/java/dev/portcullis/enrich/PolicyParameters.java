package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A policy's parameters, inserted as a fact so rules can read thresholds and lists without
 * hard-coding them:
 *
 * <pre>
 * $p : PolicyParameters( policy == "dns-weight-shift" )
 * ... eval( $shift.getPoints() > $p.number("/stepPoints", 25) )
 * </pre>
 *
 * @param policy the policy id
 * @param values the merged parameters (policy.yaml defaults, configuration, test case); read-only
 */
public record PolicyParameters(String policy, JsonNode values) {

  /** Text at a JSON pointer, or null. */
  public String text(String pointer) {
    JsonNode n = values.at(pointer);
    return n.isValueNode() ? n.asText() : null;
  }

  /** Number at a JSON pointer, or {@code otherwise}. */
  public double number(String pointer, double otherwise) {
    JsonNode n = values.at(pointer);
    return n.isNumber() ? n.doubleValue() : otherwise;
  }

  /** Texts of a list at a JSON pointer; empty when missing. */
  public List<String> list(String pointer) {
    List<String> out = new ArrayList<>();
    JsonNode n = values.at(pointer);
    if (n.isArray()) {
      n.forEach(v -> out.add(v.asText()));
    }
    return out;
  }
}
