package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Removes secret material from an event tree in place, before anything else sees it.
 *
 * <ul>
 *   <li>Kubernetes Secrets: {@code data} and {@code stringData} of every object of kind {@code
 *       Secret} (also inside lists), of the request and response objects of any request on the
 *       {@code secrets} resource (patch bodies carry no kind), the values of JSON-patch operations
 *       on those paths (and those fields inside values written above them), and the {@code
 *       kubectl.kubernetes.io/last-applied-configuration} annotation, which repeats the whole
 *       Secret. Audit events are found anywhere in the tree, so an {@code EventList} is covered.
 *   <li>Kubernetes admission requests ({@code AdmissionReview.request}) on the {@code secrets}
 *       resource: the same fields of {@code object} and {@code oldObject}, whether or not they
 *       carry their kind.
 *   <li>AWS Secrets Manager: every {@code SecretString} and {@code SecretBinary} field, anywhere.
 * </ul>
 *
 * Removal, not masking: a removed field is gone, and its path is reported for the audit trail.
 */
public final class SecretRedactor {

  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private static final Pattern ITEM = Pattern.compile("/(requestObject|responseObject)/items/\\d+");

  private SecretRedactor() {}

  /**
   * Redacts a whole record of any shape and returns the removed paths. Audit events are recognised
   * wherever they are in the tree (a single event, an {@code EventList}, an array of events).
   */
  public static List<String> redact(JsonNode root) {
    List<String> removed = new ArrayList<>();
    walk(root, "", null, removed);
    return removed;
  }

  private static boolean isSecretsRequest(JsonNode event) {
    JsonNode ref = event.get("objectRef");
    return ref != null
        && "secrets".equals(Json.text(ref, "resource"))
        && Json.text(ref, "apiGroup") == null;
  }

  /** An admission request ({@code uid}, {@code operation}) on the core {@code secrets} resource. */
  private static boolean isAdmissionRequestOnSecrets(JsonNode request) {
    if (!request.has("uid") || !request.has("operation")) {
      return false;
    }
    for (String field : List.of("resource", "requestResource")) {
      JsonNode r = request.get(field);
      if (r != null
          && "secrets".equals(Json.text(r, "resource"))
          && Json.text(r, "group") == null) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param secretsEvent the path of the nearest enclosing audit event on the {@code secrets}
   *     resource, or null
   */
  private static void walk(JsonNode node, String path, String secretsEvent, List<String> out) {
    if (node instanceof ObjectNode obj) {
      if (isSecretsRequest(obj)) {
        secretsEvent = path;
      }
      if (isAdmissionRequestOnSecrets(obj)) {
        for (String field : List.of("object", "oldObject")) {
          if (obj.get(field) instanceof ObjectNode o) {
            stripSecret(o, path + "/" + field, out);
          }
        }
      }
      if ("Secret".equals(Json.text(obj, "kind"))
          || secretsEvent != null && isSecretObjectPath(secretsEvent, path) && !obj.has("items")) {
        stripSecret(obj, path, out);
      }
      List<String> toRemove = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        if (name.equalsIgnoreCase("SecretString") || name.equalsIgnoreCase("SecretBinary")) {
          toRemove.add(name);
        } else if (e.getValue().isContainerNode()) {
          // Only containers can hold secret material below them; values need no path.
          walk(e.getValue(), path + "/" + escape(name), secretsEvent, out);
        }
      }
      for (String name : toRemove) {
        obj.remove(name);
        out.add(path + "/" + escape(name));
      }
    } else if (node instanceof ArrayNode arr) {
      boolean jsonPatchOnSecret =
          secretsEvent != null && path.equals(secretsEvent + "/requestObject");
      for (int i = 0; i < arr.size(); i++) {
        JsonNode el = arr.get(i);
        if (!el.isContainerNode()) {
          continue;
        }
        String elPath = path + "/" + i;
        if (jsonPatchOnSecret && el instanceof ObjectNode op) {
          redactPatchOperation(op, elPath, out);
        }
        walk(el, elPath, secretsEvent, out);
      }
    }
  }

  /** The request or response object of a secrets request, or an item of a list there. */
  private static boolean isSecretObjectPath(String event, String path) {
    if (!path.startsWith(event)) {
      return false;
    }
    String p = path.substring(event.length());
    return p.equals("/requestObject") || p.equals("/responseObject") || ITEM.matcher(p).matches();
  }

  /**
   * One JSON-patch operation on a Secret: a value written at or below a secret field goes; a value
   * written above one (the whole object, its metadata, its annotations) loses the secret fields.
   */
  private static void redactPatchOperation(ObjectNode op, String opPath, List<String> out) {
    String p = Json.text(op, "path");
    JsonNode value = op.get("value");
    if (p == null && value instanceof ObjectNode whole) {
      stripSecret(whole, opPath + "/value", out); // path "" replaces the whole Secret
    } else if (p == null || value == null) {
      return;
    } else if (p.equals("/data")
        || p.startsWith("/data/")
        || p.equals("/stringData")
        || p.startsWith("/stringData/")
        || p.startsWith("/metadata/annotations/") && p.contains("last-applied-configuration")) {
      op.remove("value");
      out.add(opPath + "/value");
    } else if (p.equals("/metadata") && value instanceof ObjectNode meta) {
      stripLastApplied(meta.get("annotations"), opPath + "/value/annotations", out);
    } else if (p.equals("/metadata/annotations")) {
      stripLastApplied(value, opPath + "/value", out);
    }
  }

  private static void stripSecret(ObjectNode obj, String path, List<String> out) {
    if (obj.remove("data") != null) {
      out.add(path + "/data");
    }
    if (obj.remove("stringData") != null) {
      out.add(path + "/stringData");
    }
    JsonNode meta = obj.get("metadata");
    if (meta != null) {
      stripLastApplied(meta.get("annotations"), path + "/metadata/annotations", out);
    }
  }

  private static void stripLastApplied(JsonNode annotations, String path, List<String> out) {
    if (annotations instanceof ObjectNode ann && ann.remove(LAST_APPLIED) != null) {
      out.add(path + "/" + escape(LAST_APPLIED));
    }
  }

  private static String escape(String name) {
    if (name.indexOf('~') < 0 && name.indexOf('/') < 0) {
      return name;
    }
    return name.replace("~", "~0").replace("/", "~1");
  }
}
