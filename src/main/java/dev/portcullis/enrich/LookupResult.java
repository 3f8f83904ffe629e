package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A lookup's answer, inserted as a fact beside the change event. Rules match it like any fact:
 *
 * <pre>
 * $e : ChangeEvent( action == "PutBucketLifecycle" )
 * $objects : LookupResult( name == "s3.objects", key == $e.target.bucket )
 * </pre>
 *
 * @param name the lookup's name
 * @param key what was looked up
 * @param answer the answer (never null); treat as read-only
 */
public record LookupResult(String name, String key, JsonNode answer) {

  /** Text at a JSON pointer into the answer ({@code "/0/key"}), or null. */
  public String text(String pointer) {
    JsonNode n = answer.at(pointer);
    return n.isValueNode() ? n.asText() : null;
  }

  /** Number of elements when the answer is a list (or fields when an object), else 0. */
  public int size() {
    return answer.size();
  }
}
