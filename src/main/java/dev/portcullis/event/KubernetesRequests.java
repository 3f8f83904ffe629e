package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What every Kubernetes source of change events reads the same way: who the user is (the actor
 * classification), which API and object a request is about, and which verbs only read. The audit
 * parser ({@link KubernetesAuditParser}) and the admission decoder ({@link AdmissionReviewDecoder})
 * both build their events through here, so a policy judges a request the same whichever way it
 * arrived.
 */
final class KubernetesRequests {

  /** Verbs that change nothing. */
  static final Set<String> READ_VERBS = Set.of("get", "list", "watch");

  private KubernetesRequests() {}

  /**
   * The actor of a request.
   *
   * @param username the effective user (the impersonated one when there is impersonation)
   * @param groups that user's groups
   * @param userAgent the client's user agent, or null when the source does not say (admission)
   * @param sourceIp the first source IP, or null
   * @param impersonatedBy the real caller when {@code username} was impersonated, or null
   */
  static Actor actor(
      String username,
      List<String> groups,
      String userAgent,
      String sourceIp,
      String impersonatedBy) {
    String name = username;
    Actor.Type type;
    if (username == null) {
      type = Actor.Type.UNKNOWN;
    } else if (username.startsWith("system:serviceaccount:")) {
      type = Actor.Type.SERVICE_ACCOUNT;
      name = username.substring(username.lastIndexOf(':') + 1);
    } else if (username.equals("system:anonymous")) {
      type = Actor.Type.ANONYMOUS;
    } else if (username.startsWith("system:")
        || username.startsWith("eks:")
        || groups.contains("system:nodes")) {
      type = Actor.Type.SYSTEM;
    } else {
      type = Actor.Type.HUMAN;
    }
    String iacTool = iacTool(userAgent, username);
    if (iacTool != null && type == Actor.Type.SERVICE_ACCOUNT && isController(iacTool)) {
      type = Actor.Type.IAC;
    }

    return Actor.builder()
        .principal(username == null ? "unknown" : username)
        .type(type)
        .name(name)
        .userAgent(userAgent)
        .sourceIp(sourceIp)
        .iacTool(iacTool)
        .impersonatedBy(impersonatedBy)
        .groups(groups)
        .build();
  }

  private static boolean isController(String tool) {
    return tool.equals("argocd") || tool.equals("flux");
  }

  /**
   * The infrastructure-as-code or GitOps tool recognised from the user agent or the user name. At
   * admission there is no user agent, so only the tools recognisable by their user name (Argo CD's
   * application controller, Flux's controllers) are recognised there.
   */
  static String iacTool(String userAgent, String username) {
    String u = userAgent == null ? "" : userAgent.toLowerCase(Locale.ROOT);
    String n = username == null ? "" : username.toLowerCase(Locale.ROOT);
    if (u.startsWith("argocd") || n.contains("argocd-application-controller")) {
      return "argocd";
    }
    if (u.startsWith("kustomize-controller")
        || u.startsWith("helm-controller")
        || n.startsWith("system:serviceaccount:flux-system:")) {
      return "flux";
    }
    if (u.startsWith("helm/")) {
      return "helm";
    }
    if (u.contains("terraform")) {
      return "terraform";
    }
    if (u.contains("pulumi")) {
      return "pulumi";
    }
    return null;
  }

  /** The API that was called: {@code v1} for the core group, else {@code group/version}. */
  static String service(String apiGroup, String apiVersion) {
    return apiGroup == null
        ? apiVersion
        : apiVersion == null ? apiGroup : apiGroup + "/" + apiVersion;
  }

  /** The target of a request on a Kubernetes object. The core API group is null. */
  static Target target(
      String apiGroup, String resource, String subresource, String namespace, String name) {
    return Target.builder()
        .type(resource)
        .resource(resource)
        .subresource(subresource)
        .namespace(namespace)
        .name(name)
        .apiGroup(apiGroup)
        .build();
  }

  /** {@code metadata.name} of an object, or null. */
  static String metadataName(JsonNode obj) {
    return metadataText(obj, "name");
  }

  /** {@code metadata.<field>} of an object, or null. */
  static String metadataText(JsonNode obj, String field) {
    if (obj == null || !obj.isObject()) {
      return null;
    }
    return Json.text(obj.path("metadata"), field);
  }
}
