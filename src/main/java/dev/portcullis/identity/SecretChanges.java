package dev.portcullis.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.FactProvider;
import dev.portcullis.event.Actor;
import dev.portcullis.event.ChangeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * States a {@link SecretChange} for every write to a secret that took effect (or is about to, at
 * admission): Kubernetes {@code secrets} (create, update, patch, delete, deletecollection) and AWS
 * Secrets Manager (CreateSecret, PutSecretValue, UpdateSecret, DeleteSecret). Reads, failed
 * requests and dry runs are no change.
 *
 * <p>Whether the actor is a GitOps/IaC identity comes from the {@code untracked-secret} policy's
 * parameters: {@code gitopsIdentities} (Kubernetes principal globs), {@code iacPrincipals} (AWS
 * principal or role ARN globs), {@code iacTools} (tools recognised from the user agent), {@code
 * ignoredSecrets} ({@code namespace/name} globs). Control-plane users ({@code system:}, {@code
 * eks:}) and AWS services are always trusted; the console never is.
 */
public final class SecretChanges implements FactProvider {

  /** The policy whose parameters this provider reads. */
  public static final String POLICY = "untracked-secret";

  private static final Set<String> K8S_WRITES =
      Set.of("create", "update", "patch", "delete", "deletecollection");
  private static final Set<String> AWS_WRITES =
      Set.of("CreateSecret", "PutSecretValue", "UpdateSecret", "DeleteSecret");

  @Override
  public List<Object> facts(ChangeEvent e, FactContext ctx) {
    if (!e.getOutcome().isEffective()) {
      return List.of();
    }
    JsonNode params = ctx.parameters(POLICY);
    if (ChangeEvent.K8S_AUDIT.equals(e.getSource())
        && "secrets".equals(e.getTarget().getResource())
        && e.getTarget().getApiGroup() == null
        && e.getTarget().getSubresource() == null
        && K8S_WRITES.contains(e.getAction())) {
      return List.of(kubernetes(e, params));
    }
    if (ChangeEvent.CLOUDTRAIL.equals(e.getSource())
        && "secretsmanager.amazonaws.com".equals(e.getService())
        && AWS_WRITES.contains(e.getAction())) {
      return List.of(secretsManager(e, params));
    }
    return List.of();
  }

  private static SecretChange kubernetes(ChangeEvent e, JsonNode params) {
    String ns = e.getTarget().getNamespace();
    String name = e.getTarget().getName();
    String secret = name == null ? ns : (ns == null ? name : ns + "/" + name);
    Actor a = e.getActor();
    String trustedAs = null;
    if (a.getType() == Actor.Type.SYSTEM) {
      trustedAs = "control plane (" + a.getPrincipal() + ")";
    } else {
      String glob = Globs.firstMatch(list(params, "gitopsIdentities"), a.getPrincipal());
      if (glob != null) {
        trustedAs = "gitopsIdentities: " + glob;
      } else if (a.getIacTool() != null && list(params, "iacTools").contains(a.getIacTool())) {
        trustedAs = "tool: " + a.getIacTool();
      }
    }
    return new SecretChange(
        SecretChange.KUBERNETES,
        secret,
        e.getAction(),
        trustedAs,
        managedBy(e),
        secret != null && Globs.matchesAny(list(params, "ignoredSecrets"), secret));
  }

  private static SecretChange secretsManager(ChangeEvent e, JsonNode params) {
    Actor a = e.getActor();
    String secret = e.getTarget().getName();
    if (secret == null) {
      secret = e.getTarget().getArn();
    }
    String trustedAs = null;
    if (!a.isConsole()) {
      if (a.getType() == Actor.Type.AWS_SERVICE) {
        trustedAs = "AWS service (" + a.getPrincipal() + ")";
      } else {
        List<String> principals = list(params, "iacPrincipals");
        String glob = Globs.firstMatch(principals, a.getPrincipal());
        if (glob == null) {
          glob = Globs.firstMatch(principals, a.getSessionIssuer());
        }
        if (glob != null) {
          trustedAs = "iacPrincipals: " + glob;
        } else if (a.getIacTool() != null && list(params, "iacTools").contains(a.getIacTool())) {
          trustedAs = "tool: " + a.getIacTool();
        }
      }
    }
    return new SecretChange(
        SecretChange.SECRETS_MANAGER,
        secret == null ? "unknown" : secret,
        e.getAction(),
        trustedAs,
        null,
        secret != null && Globs.matchesAny(list(params, "ignoredSecrets"), secret));
  }

  /** The GitOps tool that manages the object, from its labels, annotations and owners. */
  static String managedBy(ChangeEvent e) {
    for (JsonNode obj : List.of(e.getRequest(), e.getResponse())) {
      JsonNode meta = obj.path("metadata");
      JsonNode labels = meta.path("labels");
      JsonNode annotations = meta.path("annotations");
      if (labels.has("argocd.argoproj.io/instance")
          || annotations.has("argocd.argoproj.io/tracking-id")) {
        return "Argo CD";
      }
      if (labels.has("kustomize.toolkit.fluxcd.io/name")
          || labels.has("helm.toolkit.fluxcd.io/name")) {
        return "Flux";
      }
      if (annotations.has("reconcile.external-secrets.io/data-hash")
          || labels.has("reconcile.external-secrets.io/created-by")
          || ownedBy(meta, "ExternalSecret")) {
        return "External Secrets";
      }
      if (ownedBy(meta, "SealedSecret")) {
        return "Sealed Secrets";
      }
      if (annotations.has("cert-manager.io/certificate-name")) {
        return "cert-manager";
      }
      if ("Helm".equals(labels.path("app.kubernetes.io/managed-by").asText(null))) {
        return "Helm";
      }
    }
    return null;
  }

  private static boolean ownedBy(JsonNode meta, String kind) {
    for (JsonNode owner : meta.path("ownerReferences")) {
      if (kind.equals(owner.path("kind").asText())) {
        return true;
      }
    }
    return false;
  }

  private static List<String> list(JsonNode params, String name) {
    List<String> out = new ArrayList<>();
    params.path(name).forEach(n -> out.add(n.asText()));
    return out;
  }
}
