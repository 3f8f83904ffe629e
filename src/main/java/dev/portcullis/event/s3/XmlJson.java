package dev.portcullis.event.s3;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Readers for the JSON that CloudTrail makes of S3's XML request bodies: an element that occurs
 * once is an object, several are a list; numbers and booleans may be JSON numbers or strings;
 * element names are S3's ({@code Rule}, {@code Filter}) but some exports lower-case them, so names
 * are matched without regard to case.
 */
public final class XmlJson {

  private XmlJson() {}

  /** The child with this name (any case), or null. */
  public static JsonNode child(JsonNode parent, String name) {
    if (parent == null || !parent.isObject()) {
      return null;
    }
    JsonNode exact = parent.get(name);
    if (exact != null) {
      return exact;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = parent.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** True when the parent has a child of this name (any case), even an empty or null one. */
  public static boolean has(JsonNode parent, String name) {
    return child(parent, name) != null;
  }

  /** The elements of a child: none when missing, one when an object, all when a list. */
  public static List<JsonNode> elements(JsonNode parent, String name) {
    JsonNode n = child(parent, name);
    List<JsonNode> out = new ArrayList<>();
    if (n == null || n.isNull() || n.isMissingNode()) {
      return out;
    }
    if (n.isArray()) {
      n.forEach(out::add);
    } else {
      out.add(n);
    }
    return out;
  }

  /** Text of a scalar child (numbers as written), or null when missing, null or a container. */
  public static String text(JsonNode parent, String name) {
    JsonNode n = child(parent, name);
    if (n == null || n.isNull() || n.isMissingNode() || n.isContainerNode()) {
      return null;
    }
    return n.asText();
  }

  /** A whole number given as a JSON number or a numeric string, or null. */
  public static Long number(JsonNode parent, String name) {
    JsonNode n = child(parent, name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isIntegralNumber()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.decimalValue().longValue();
    }
    if (n.isTextual()) {
      try {
        return new BigDecimal(n.textValue().trim()).longValueExact();
      } catch (NumberFormatException | ArithmeticException e) {
        return null;
      }
    }
    return null;
  }

  /** True for JSON {@code true} and the string {@code "true"} (any case). */
  public static boolean truthy(JsonNode parent, String name) {
    JsonNode n = child(parent, name);
    if (n == null) {
      return false;
    }
    return n.isBoolean() ? n.booleanValue() : "true".equalsIgnoreCase(n.asText().trim());
  }
}
