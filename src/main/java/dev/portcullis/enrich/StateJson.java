package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Small helpers shared by the {@link StateCodec}s: times as ISO-8601 text ({@link
 * Instant#toString()}, nanoseconds kept), null values left out, and readers that say what is wrong
 * with a stored state instead of failing somewhere later.
 */
public final class StateJson {

  /** Where the codecs build their trees. */
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private StateJson() {}

  /** Sets {@code field} to the time as ISO-8601 text; leaves it out when {@code value} is null. */
  public static void put(ObjectNode n, String field, Instant value) {
    if (value != null) {
      n.put(field, value.toString());
    }
  }

  /** Sets {@code field} to the text; leaves it out when {@code value} is null. */
  public static void put(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  /** The text of a field; null when it is missing or JSON null. */
  public static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The text of a field that must be there. */
  public static String requiredText(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null) {
      throw new IllegalArgumentException("stored state lacks \"" + field + "\"");
    }
    return v;
  }

  /** The time in a field; null when it is missing or JSON null. */
  public static Instant instant(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "stored state has no ISO-8601 time in \"" + field + "\": " + v, e);
    }
  }

  /** The time in a field that must be there. */
  public static Instant requiredInstant(JsonNode n, String field) {
    Instant v = instant(n, field);
    if (v == null) {
      throw new IllegalArgumentException("stored state lacks \"" + field + "\"");
    }
    return v;
  }
}
