package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A test oracle, written independently of {@link SecretRedactor}: finds the secret material in an
 * event tree. Used two ways: on the original input to learn which values must disappear, and on the
 * redacted output to prove that nothing of the kind is left.
 */
final class SecretMaterial {

  /** One piece of secret material: where it is and its value. */
  record Found(String pointer, JsonNode value) {}

  private SecretMaterial() {}

  /** Every piece of secret material in {@code root}, by the rules of the ground rules. */
  static List<Found> in(JsonNode root) {
    List<Found> out = new ArrayList<>();
    JsonNode ref = root.path("objectRef");
    boolean secrets =
        "secrets".equals(ref.path("resource").asText(null))
            && ref.path("apiGroup").asText("").isEmpty();
    if (secrets) {
      for (String top : List.of("requestObject", "responseObject")) {
        JsonNode obj = root.path(top);
        if (obj.isObject()) {
          secretFields(obj, "/" + top, out);
          JsonNode items = obj.path("items");
          for (int i = 0; i < items.size(); i++) {
            secretFields(items.get(i), "/" + top + "/items/" + i, out);
          }
        } else if (obj.isArray()) {
          for (int i = 0; i < obj.size(); i++) {
            JsonNode op = obj.get(i);
            String path = op.path("path").asText("");
            if ((path.startsWith("/data") || path.startsWith("/stringData")) && op.has("value")) {
              out.add(new Found("/" + top + "/" + i + "/value", op.get("value")));
            }
          }
        }
      }
    }
    walk(root, "", out);
    return out;
  }

  private static void walk(JsonNode node, String path, List<Found> out) {
    if (node.isObject()) {
      if ("Secret".equals(node.path("kind").asText(null))) {
        secretFields(node, path, out);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey().toLowerCase(Locale.ROOT);
        String child = path + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
        if (name.equals("secretstring") || name.equals("secretbinary")) {
          out.add(new Found(child, e.getValue()));
        } else {
          walk(e.getValue(), child, out);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "/" + i, out);
      }
    }
  }

  private static void secretFields(JsonNode obj, String path, List<Found> out) {
    for (String f : List.of("data", "stringData")) {
      if (obj.has(f)) {
        out.add(new Found(path + "/" + f, obj.get(f)));
      }
    }
    JsonNode lastApplied =
        obj.path("metadata").path("annotations").path(SecretRedactor.LAST_APPLIED);
    if (!lastApplied.isMissingNode()) {
      out.add(
          new Found(
              path + "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
              lastApplied));
    }
  }

  /** The scalar leaves of a secret value: each of them must be gone from the output. */
  static List<String> leaves(JsonNode value) {
    List<String> out = new ArrayList<>();
    collect(value, out);
    return out;
  }

  private static void collect(JsonNode n, List<String> out) {
    if (n.isContainerNode()) {
      n.forEach(c -> collect(c, out));
    } else if (!n.isNull()) {
      out.add(n.asText());
    }
  }
}
