package dev.portcullis.event.s3;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the object-level parts of S3 CloudTrail records: the key of {@code DeleteObject}, {@code
 * PutObject} and {@code CopyObject}, the keys of {@code DeleteObjects}, and the status {@code
 * PutBucketVersioning} sets.
 *
 * <p>CloudTrail does not record which keys a {@code DeleteObjects} request removed (its record has
 * {@code "delete": ""}, the query marker; the S3 console deletes through it even for one object);
 * some pipelines add the request body as {@code delete.Object[].Key}, which is read when present.
 */
public final class S3Requests {

  private S3Requests() {}

  /** The object key of a single-object request ({@code key}, or {@code Key} in some exports). */
  public static String objectKey(JsonNode requestParameters) {
    String k = XmlJson.text(requestParameters, "key");
    return k == null || k.isEmpty() ? null : k;
  }

  /**
   * The keys a {@code DeleteObjects} request names, when the record carries them ({@code
   * delete.Object} as one object or a list); null when the record does not say (the usual case).
   */
  public static List<String> deletedKeys(JsonNode requestParameters) {
    JsonNode delete = XmlJson.child(requestParameters, "delete");
    if (delete == null || !delete.isObject()) {
      return null;
    }
    List<JsonNode> objects = XmlJson.elements(delete, "Object");
    if (objects.isEmpty()) {
      objects = XmlJson.elements(delete, "Objects");
    }
    if (objects.isEmpty() && !XmlJson.has(delete, "Object") && !XmlJson.has(delete, "Objects")) {
      return null;
    }
    List<String> keys = new ArrayList<>();
    for (JsonNode o : objects) {
      String k = o.isTextual() ? o.asText() : XmlJson.text(o, "Key");
      if (k != null && !k.isEmpty()) {
        keys.add(k);
      }
    }
    return keys;
  }

  /** The status {@code PutBucketVersioning} sets ({@code Enabled}, {@code Suspended}), or null. */
  public static String versioningStatus(JsonNode requestParameters) {
    JsonNode v = XmlJson.child(requestParameters, "VersioningConfiguration");
    String s = XmlJson.text(v, "Status");
    return s == null ? null : s.trim();
  }
}
