package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Removes secret material from an event tree in place, before anything else sees it.
 *
 * <ul>
 *   <li>Kubernetes Secrets: {@code data} and {@code stringData} of every object of kind {@code
 *       Secret} (also inside lists), of the request and response objects of any request on the
 *       {@code secrets} resource (patch bodies carry no kind), the values of JSON-patch operations
 *       on those paths, and the {@code kubectl.kubernetes.io/last-applied-configuration}
 *       annotation, which repeats the whole Secret.
 *   <li>AWS Secrets Manager: every {@code SecretString} and {@code SecretBinary} field, anywhere.
 * </ul>
 *
 * Removal, not masking: a removed field is gone, and its path is reported for the audit trail.
 */
public final class SecretRedactor {

  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private SecretRedactor() {}

  /** Redacts a whole record of any shape and returns the removed paths. */
  public static List<String> redact(JsonNode root) {
    List<String> removed = new ArrayList<>();
    boolean secretsRequest = isSecretsRequest(root);
    walk(root, "", secretsRequest, removed);
    return removed;
  }

  private static boolean isSecretsRequest(JsonNode root) {
    JsonNode ref = root.get("objectRef");
    return ref != null
        && "secrets".equals(Json.text(ref, "resource"))
        && Json.text(ref, "apiGroup") == null;
  }

  private static void walk(JsonNode node, String path, boolean secretsRequest, List<String> out) {
    if (node instanceof ObjectNode obj) {
      if ("Secret".equals(Json.text(obj, "kind"))
          || secretsRequest && isSecretObjectPath(path) && !obj.has("items")) {
        stripSecret(obj, path, out);
      }
      List<String> toRemove = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        if (name.equalsIgnoreCase("SecretString") || name.equalsIgnoreCase("SecretBinary")) {
          toRemove.add(name);
        } else {
          walk(e.getValue(), path + "/" + escape(name), secretsRequest, out);
        }
      }
      for (String name : toRemove) {
        obj.remove(name);
        out.add(path + "/" + escape(name));
      }
    } else if (node instanceof ArrayNode arr) {
      boolean jsonPatchOnSecret = secretsRequest && path.equals("/requestObject");
      for (int i = 0; i < arr.size(); i++) {
        JsonNode el = arr.get(i);
        String elPath = path + "/" + i;
        if (jsonPatchOnSecret
            && el instanceof ObjectNode op
            && touchesSecretValue(op)
            && op.remove("value") != null) {
          out.add(elPath + "/value");
        }
        walk(el, elPath, secretsRequest, out);
      }
    }
  }

  /** The request or response object of a secrets request, or an item of a list there. */
  private static boolean isSecretObjectPath(String path) {
    return path.equals("/requestObject")
        || path.equals("/responseObject")
        || path.matches("/(requestObject|responseObject)/items/\\d+");
  }

  private static boolean touchesSecretValue(ObjectNode op) {
    String p = Json.text(op, "path");
    if (p == null) {
      return false;
    }
    return p.equals("/data")
        || p.startsWith("/data/")
        || p.equals("/stringData")
        || p.startsWith("/stringData/")
        || p.startsWith("/metadata/annotations") && p.contains("last-applied-configuration");
  }

  private static void stripSecret(ObjectNode obj, String path, List<String> out) {
    if (obj.remove("data") != null) {
      out.add(path + "/data");
    }
    if (obj.remove("stringData") != null) {
      out.add(path + "/stringData");
    }
    JsonNode meta = obj.get("metadata");
    if (meta instanceof ObjectNode m && m.get("annotations") instanceof ObjectNode ann) {
      if (ann.remove(LAST_APPLIED) != null) {
        out.add(path + "/metadata/annotations/" + escape(LAST_APPLIED));
      }
    }
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
