package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Deep merge of JSON objects: fields of the overlay win, nested objects merge, lists replace. */
public final class JsonMerge {

  private JsonMerge() {}

  /** A new tree: {@code base} with {@code overlay} on top. Neither input is changed. */
  public static JsonNode merge(JsonNode base, JsonNode overlay) {
    if (overlay == null || overlay.isMissingNode() || overlay.isNull()) {
      return base;
    }
    if (base == null || !base.isObject() || !overlay.isObject()) {
      return overlay.deepCopy();
    }
    ObjectNode out = ((ObjectNode) base).deepCopy();
    overlay
        .fields()
        .forEachRemaining(e -> out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue())));
    return out;
  }
}
