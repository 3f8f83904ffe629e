package dev.portcullis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Admission requests for the tests, in two forms: the {@code admission.k8s.io/v1 AdmissionReview}
 * the API server sends to a validating webhook, in the exact shape of the Kubernetes API reference
 * (uid, kind, resource, subResource, requestKind, requestResource, requestSubResource, name,
 * namespace, operation, userInfo, object, oldObject, dryRun, options), and the {@code
 * audit.k8s.io/v1} audit event the same API server writes for the same request once it is done.
 */
public final class AdmissionReviews {

  /** A secret value that must never leave the service. */
  public static final String SECRET_VALUE = "aHVudGVyMi1BRE1JU1NJT04tU0VDUkVU";

  /** A plain-text secret value ({@code stringData}). */
  public static final String SECRET_TEXT = "plain-ADMISSION-secret";

  public static final String KUBECTL = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";
  public static final String ARGOCD_CONTROLLER =
      "system:serviceaccount:argocd:argocd-application-controller";
  public static final String ARGOCD_AGENT = "argocd-application-controller/v2.11.3 (linux/amd64)";

  static final ObjectMapper JSON = new ObjectMapper();

  private AdmissionReviews() {}

  /** A request on a Secret, created by alice with kubectl unless changed. */
  public static Request secret(String namespace, String name) {
    return new Request().namespace(namespace).name(name);
  }

  /** One Kubernetes API request, to be written as a review or as its audit event. */
  public static final class Request {
    String uid = UUID.randomUUID().toString();
    String auditId = UUID.randomUUID().toString();
    String operation = "CREATE";
    String username = "alice@example.com";
    List<String> groups = List.of("system:authenticated", "platform-admins");
    String userAgent = KUBECTL;
    String group = "";
    String version = "v1";
    String kind = "Secret";
    String resource = "secrets";
    String subResource;
    String namespace = "payments";
    String name = "db-password";
    boolean generateName;
    boolean dryRun;
    Map<String, String> labels = Map.of();
    String padding;

    public Request uid(String v) {
      uid = v;
      return this;
    }

    public Request operation(String v) {
      operation = v;
      return this;
    }

    /** The user (and the user agent the audit event shows). */
    public Request user(String name, List<String> groupsOf, String agent) {
      username = name;
      groups = groupsOf;
      userAgent = agent;
      return this;
    }

    /** Argo CD's application controller applying from Git. */
    public Request argoCd() {
      return user(
          ARGOCD_CONTROLLER,
          List.of(
              "system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"),
          ARGOCD_AGENT);
    }

    public Request namespace(String v) {
      namespace = v;
      return this;
    }

    public Request name(String v) {
      name = v;
      return this;
    }

    /** The object is a ConfigMap instead of a Secret. */
    public Request configMap() {
      kind = "ConfigMap";
      resource = "configmaps";
      return this;
    }

    /** The client sent {@code generateName} and no name: the review's {@code name} is empty. */
    public Request generateName() {
      generateName = true;
      return this;
    }

    public Request dryRun(boolean v) {
      dryRun = v;
      return this;
    }

    public Request labels(Map<String, String> v) {
      labels = v;
      return this;
    }

    /** An annotation of this many characters, to make the review large. */
    public Request padding(int chars) {
      padding = "x".repeat(chars);
      return this;
    }

    public String uid() {
      return uid;
    }

    public String auditId() {
      return auditId;
    }

    private String verb() {
      return operation.toLowerCase(Locale.ROOT);
    }

    /** The object as the client sent it (for DELETE: as it was stored). */
    ObjectNode object() {
      ObjectNode o = JSON.createObjectNode();
      o.put("apiVersion", version);
      o.put("kind", kind);
      ObjectNode meta = o.putObject("metadata");
      meta.put("name", name);
      if (generateName) {
        meta.put("generateName", name.substring(0, name.lastIndexOf('-') + 1));
      }
      meta.put("namespace", namespace);
      if (!"CREATE".equals(operation)) {
        meta.put("uid", "0d5c9a5e-0000-4000-8000-000000000042");
        meta.put("resourceVersion", "4711");
      }
      if (!labels.isEmpty()) {
        ObjectNode l = meta.putObject("labels");
        labels.forEach(l::put);
      }
      ObjectNode annotations = meta.putObject("annotations");
      if (padding != null) {
        annotations.put("example.com/padding", padding);
      }
      if ("Secret".equals(kind)) {
        annotations.put(
            "kubectl.kubernetes.io/last-applied-configuration",
            "{\"data\":{\"password\":\"" + SECRET_VALUE + "\"}}");
        o.putObject("data").put("password", SECRET_VALUE);
        o.putObject("stringData").put("token", SECRET_TEXT);
        o.put("type", "Opaque");
      } else {
        o.putObject("data").put("log-level", "debug");
      }
      return o;
    }

    private static ObjectNode gvk(String group, String version, String kind) {
      ObjectNode n = JSON.createObjectNode();
      n.put("group", group);
      n.put("version", version);
      n.put("kind", kind);
      return n;
    }

    private static ObjectNode gvr(String group, String version, String resource) {
      ObjectNode n = JSON.createObjectNode();
      n.put("group", group);
      n.put("version", version);
      n.put("resource", resource);
      return n;
    }

    /** The AdmissionReview the API server sends to the webhook. */
    public ObjectNode reviewTree() {
      ObjectNode review = JSON.createObjectNode();
      review.put("apiVersion", "admission.k8s.io/v1");
      review.put("kind", "AdmissionReview");
      ObjectNode r = review.putObject("request");
      r.put("uid", uid);
      r.set("kind", gvk(group, version, kind));
      r.set("resource", gvr(group, version, resource));
      if (subResource != null) {
        r.put("subResource", subResource);
      }
      r.set("requestKind", gvk(group, version, kind));
      r.set("requestResource", gvr(group, version, resource));
      if (subResource != null) {
        r.put("requestSubResource", subResource);
      }
      if (!generateName) {
        r.put("name", name);
      }
      r.put("namespace", namespace);
      r.put("operation", operation);
      ObjectNode user = r.putObject("userInfo");
      user.put("username", username);
      user.put("uid", "3c2f0d8e-7e61-4b8e-9a43-2f0b8e1d7c55");
      ArrayNode g = user.putArray("groups");
      groups.forEach(g::add);
      if (!username.startsWith("system:")) {
        user.putObject("extra").putArray("accessKeyId").add("ASIAEXAMPLEKEY");
      }
      switch (operation) {
        case "CREATE" -> {
          r.set("object", object());
          r.putNull("oldObject");
        }
        case "UPDATE" -> {
          r.set("object", object());
          r.set("oldObject", object());
        }
        case "DELETE" -> {
          r.putNull("object");
          r.set("oldObject", object());
        }
        default -> {
          r.putNull("object");
          r.putNull("oldObject");
        }
      }
      r.put("dryRun", dryRun);
      ObjectNode options = r.putObject("options");
      options.put("apiVersion", "meta.k8s.io/v1");
      options.put(
          "kind",
          switch (operation) {
            case "CREATE" -> "CreateOptions";
            case "UPDATE" -> "UpdateOptions";
            case "DELETE" -> "DeleteOptions";
            default -> "ConnectOptions";
          });
      if (!"DELETE".equals(operation)) {
        options.put("fieldManager", "kubectl-client-side-apply");
      }
      if (dryRun) {
        options.putArray("dryRun").add("All");
      }
      return review;
    }

    public String review() {
      return reviewTree().toString();
    }

    /**
     * The audit event ({@code ResponseComplete}, level RequestResponse) of the same request had it
     * gone through: response code 201 for a create, 200 otherwise.
     */
    public String auditEvent() {
      ObjectNode e = JSON.createObjectNode();
      e.put("kind", "Event");
      e.put("apiVersion", "audit.k8s.io/v1");
      e.put("level", "RequestResponse");
      e.put("auditID", auditId);
      e.put("stage", "ResponseComplete");
      String base =
          (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
              + "/namespaces/"
              + namespace
              + "/"
              + resource;
      e.put(
          "requestURI",
          ("CREATE".equals(operation) ? base : base + "/" + name) + (dryRun ? "?dryRun=All" : ""));
      e.put("verb", verb());
      ObjectNode user = e.putObject("user");
      user.put("username", username);
      ArrayNode g = user.putArray("groups");
      groups.forEach(g::add);
      e.putArray("sourceIPs").add("10.20.30.40");
      e.put("userAgent", userAgent);
      ObjectNode ref = e.putObject("objectRef");
      ref.put("resource", resource);
      ref.put("namespace", namespace);
      ref.put("name", name);
      if (!group.isEmpty()) {
        ref.put("apiGroup", group);
      }
      ref.put("apiVersion", version);
      ObjectNode status = e.putObject("responseStatus");
      status.putObject("metadata");
      status.put("code", "CREATE".equals(operation) ? 201 : 200);
      if (!"DELETE".equals(operation)) {
        e.set("requestObject", object());
      }
      e.set("responseObject", object());
      Instant now = Instant.now();
      e.put("requestReceivedTimestamp", now.toString());
      e.put("stageTimestamp", now.plusMillis(20).toString());
      return e.toString();
    }
  }

  /** Reads JSON text. */
  public static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
