package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;

/** Small null-tolerant readers for the loosely typed JSON that real events are. */
final class Json {

  private Json() {}

  /** Text of a scalar field, or null when missing, null, empty or not a scalar. */
  static String text(JsonNode parent, String field) {
    if (parent == null) {
      return null;
    }
    JsonNode n = parent.get(field);
    if (n == null || n.isNull() || n.isMissingNode() || n.isContainerNode()) {
      return null;
    }
    String s = n.asText();
    return s.isEmpty() ? null : s;
  }

  /** Object child, or null. */
  static JsonNode object(JsonNode parent, String field) {
    if (parent == null) {
      return null;
    }
    JsonNode n = parent.get(field);
    return n != null && n.isObject() ? n : null;
  }

  /** True for JSON {@code true} and for the string {@code "true"} (CloudTrail writes both). */
  static boolean truthy(JsonNode parent, String field) {
    if (parent == null) {
      return false;
    }
    JsonNode n = parent.get(field);
    if (n == null) {
      return false;
    }
    return n.isBoolean() ? n.booleanValue() : "true".equalsIgnoreCase(n.asText());
  }

  /** Integer value of a number or numeric string, or null. */
  static Integer integer(JsonNode parent, String field) {
    if (parent == null) {
      return null;
    }
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isIntegralNumber()) {
      return n.intValue();
    }
    if (n.isTextual()) {
      try {
        return Integer.parseInt(n.textValue().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
