package dev.portcullis.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The files in deploy/audit-webhook fit together: the audit policy is one the API server accepts
 * and sends what the bundled policies judge without secret values, the kubeconfig points at {@code
 * /k8s/audit} with a token, the ClusterIP the API server calls is in the certificate, the token
 * variable is the one the service reads, and the kind and kOps forms hand the API server both
 * files.
 */
class AuditWebhookManifestsTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path DIR = Path.of("deploy", "audit-webhook");

  static JsonNode read(String file) throws IOException {
    return YAML.readTree(DIR.resolve(file).toFile());
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void theAuditPolicyLogsWritesAndKeepsSecretValuesOffTheWire() throws IOException {
    JsonNode policy = read("audit-policy.yaml");
    assertThat(policy.path("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
    assertThat(policy.path("kind").asText()).isEqualTo("Policy");
    assertThat(texts(policy.path("omitStages"))).containsExactly("RequestReceived");
    List<JsonNode> rules = new ArrayList<>();
    policy.path("rules").forEach(rules::add);
    for (JsonNode r : rules) {
      assertThat(r.path("level").asText()).isIn("None", "Metadata", "Request", "RequestResponse");
    }
    // The first rule that names secrets logs them at Metadata, and comes before any rule logging
    // bodies.
    int secrets = -1;
    int bodies = -1;
    for (int i = 0; i < rules.size(); i++) {
      JsonNode r = rules.get(i);
      boolean namesSecrets =
          r.path("resources").findValues("resources").stream()
              .anyMatch(list -> texts(list).contains("secrets"));
      if (namesSecrets && secrets < 0) {
        secrets = i;
      }
      if (r.path("level").asText().startsWith("Request") && bodies < 0) {
        bodies = i;
      }
    }
    assertThat(secrets).isNotNegative();
    assertThat(rules.get(secrets).path("level").asText()).isEqualTo("Metadata");
    assertThat(secrets).isLessThan(bodies);
    // Writes to Secrets are not dropped by an earlier None rule on their verbs.
    for (JsonNode r : rules.subList(0, secrets)) {
      assertThat(r.path("level").asText()).isEqualTo("None");
      assertThat(
              texts(r.path("verbs")).stream()
                      .anyMatch(v -> v.equals("create") || v.equals("delete"))
                  && !r.has("resources")
                  && !r.has("users")
                  && !r.has("userGroups"))
          .as("rule %s drops writes to every resource", r)
          .isFalse();
    }
    assertThat(rules.get(rules.size() - 1).has("resources")).isFalse();
  }

  @Test
  void theKubeconfigSendsToTheAuditPathWithAToken() throws IOException {
    String raw = Files.readString(DIR.resolve("webhook-kubeconfig.yaml"));
    assertThat(raw)
        .contains("${PORTCULLIS_AUDIT_URL}")
        .contains("${PORTCULLIS_CA_DATA}")
        .contains("${PORTCULLIS_AUDIT_TOKEN}");
    JsonNode kc = read("webhook-kubeconfig.yaml");
    assertThat(kc.path("kind").asText()).isEqualTo("Config");
    assertThat(kc.path("current-context").asText()).isEqualTo("portcullis");
    assertThat(kc.path("clusters").get(0).path("cluster").has("certificate-authority-data"))
        .isTrue();
    assertThat(kc.path("users").get(0).path("user").has("token")).isTrue();
    assertThat(Files.readString(Path.of("docs", "intake.md")))
        .contains("/k8s/audit")
        .contains("PORTCULLIS_AUDIT_URL");
  }

  @Test
  void theAddressTheApiServerCallsIsInTheCertificateAndTheTokenIsTheOneTheServiceReads()
      throws IOException {
    JsonNode kustomization = read("kustomization.yaml");
    for (JsonNode r : kustomization.path("resources")) {
      assertThat(DIR.resolve(r.asText())).exists();
    }
    for (JsonNode p : kustomization.path("patches")) {
      assertThat(DIR.resolve(p.path("path").asText())).exists();
    }
    String ip = read("audit-service.yaml").path("spec").path("clusterIP").asText();
    assertThat(texts(read("certificate-ip.yaml").path("spec").path("ipAddresses"))).contains(ip);
    // The patch names the admission webhook's Certificate, so it keeps the DNS names it had.
    List<JsonNode> certificates = new ArrayList<>();
    try (var it =
        YAML.readerFor(JsonNode.class)
            .<JsonNode>readValues(
                Path.of("deploy", "admission-webhook", "webhook.yaml").toFile())) {
      it.forEachRemaining(
          d -> {
            if ("Certificate".equals(d.path("kind").asText())) {
              certificates.add(d);
            }
          });
    }
    assertThat(certificates).hasSize(1);
    JsonNode patch = read("certificate-ip.yaml");
    assertThat(patch.path("metadata").path("name").asText())
        .isEqualTo(certificates.get(0).path("metadata").path("name").asText());
    assertThat(texts(patch.path("spec").path("dnsNames")))
        .containsAll(texts(certificates.get(0).path("spec").path("dnsNames")));
    JsonNode env =
        read("deployment-token.yaml")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0)
            .path("env")
            .get(0);
    // MicroProfile Config's environment mapping of portcullis.intake.k8s-audit.token.
    assertThat(env.path("name").asText())
        .isEqualTo(
            "portcullis.intake.k8s-audit.token".replaceAll("[^A-Za-z0-9]", "_").toUpperCase());
  }

  @Test
  void kindAndKopsHandTheApiServerBothFiles() throws IOException {
    JsonNode node = read("kind-cluster.yaml").path("nodes").get(0);
    String mounted = node.path("extraMounts").get(0).path("containerPath").asText();
    JsonNode cluster = YAML.readTree(node.path("kubeadmConfigPatches").get(0).asText());
    JsonNode args = cluster.path("apiServer").path("extraArgs");
    assertThat(args.path("audit-policy-file").asText()).startsWith(mounted + "/");
    assertThat(args.path("audit-webhook-config-file").asText()).startsWith(mounted + "/");
    assertThat(cluster.path("apiServer").path("extraVolumes").get(0).path("mountPath").asText())
        .isEqualTo(mounted);

    JsonNode kops = read("kops-cluster.yaml").path("spec");
    String policy = kops.path("kubeAPIServer").path("auditPolicyFile").asText();
    String webhook = kops.path("kubeAPIServer").path("auditWebhookConfigFile").asText();
    assertThat(Path.of(webhook).getParent()).isEqualTo(Path.of(policy).getParent());
    assertThat(kops.path("fileAssets").findValuesAsText("path")).contains(policy, webhook);
  }
}
