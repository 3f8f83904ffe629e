package dev.portcullis.identity;

/**
 * A write to a secret, with what is known about who is allowed to make it. Stated by {@link
 * SecretChanges}; judged by the {@code untracked-secret} policy.
 *
 * @param store {@code kubernetes} or {@code secrets-manager}
 * @param secret {@code namespace/name} for Kubernetes, the secret id or name for Secrets Manager
 * @param verb what was done: Kubernetes verb or Secrets Manager event name
 * @param trustedAs why the actor is a GitOps/IaC identity (the matching parameter, the tool, the
 *     control plane), or null when it is not one
 * @param managedBy the GitOps tool that manages the secret according to its labels, annotations or
 *     owners (Argo CD, Flux, Helm, External Secrets, Sealed Secrets, cert-manager), or null
 * @param ignored true when the secret matches the policy's {@code ignoredSecrets}
 */
public record SecretChange(
    String store, String secret, String verb, String trustedAs, String managedBy, boolean ignored) {

  public static final String KUBERNETES = "kubernetes";
  public static final String SECRETS_MANAGER = "secrets-manager";

  public String getStore() {
    return store;
  }

  public String getSecret() {
    return secret;
  }

  public String getVerb() {
    return verb;
  }

  public String getTrustedAs() {
    return trustedAs;
  }

  public String getManagedBy() {
    return managedBy;
  }

  public boolean isIgnored() {
    return ignored;
  }

  /** The verb as a past-tense phrase for a summary ("created secret", "deleted all secrets in"). */
  public String getDone() {
    return switch (verb) {
      case "create", "CreateSecret" -> "created secret";
      case "update", "UpdateSecret" -> "replaced secret";
      case "patch" -> "changed secret";
      case "PutSecretValue" -> "put a new value into secret";
      case "delete", "DeleteSecret" -> "deleted secret";
      case "deletecollection" -> "deleted every secret in";
      default -> verb + " on secret";
    };
  }
}
