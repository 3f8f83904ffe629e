package dev.portcullis.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in deploy/ parse as YAML, and the webhook's pieces fit together: the
 * webhook configuration, its Service, the certificate, the Deployment patch and the service's own
 * defaults.
 */
class AdmissionManifestsTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path KUBERNETES = Path.of("deploy", "kubernetes");
  static final Path WEBHOOK = Path.of("deploy", "admission-webhook");

  static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isNull() && !d.isMissingNode()) {
          docs.add(d);
        }
      }
    }
    return docs;
  }

  static JsonNode only(Path file, String kind) throws IOException {
    List<JsonNode> found =
        documents(file).stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    assertThat(found).as("%s in %s", kind, file).hasSize(1);
    return found.get(0);
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void everyManifestIsValidYamlWithAKindAndAnApiVersion() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Stream.concat(Files.walk(KUBERNETES), Files.walk(WEBHOOK))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(5);
    for (Path f : files) {
      List<JsonNode> docs = documents(f);
      assertThat(docs).as(f.toString()).isNotEmpty();
      for (JsonNode d : docs) {
        assertThat(d.path("apiVersion").asText()).as("apiVersion in %s", f).isNotEmpty();
        assertThat(d.path("kind").asText()).as("kind in %s", f).isNotEmpty();
      }
    }
  }

  @Test
  void theKustomizationsListFilesThatExist() throws IOException {
    for (Path dir : List.of(KUBERNETES, WEBHOOK)) {
      JsonNode k = only(dir.resolve("kustomization.yaml"), "Kustomization");
      for (JsonNode r : k.path("resources")) {
        assertThat(dir.resolve(r.asText())).as("resource of %s", dir).exists();
      }
      for (JsonNode p : k.path("patches")) {
        assertThat(dir.resolve(p.path("path").asText())).exists();
      }
    }
  }

  @Test
  void theWebhookConfigurationIsWhatTheApiServerAndTheServiceExpect() throws Exception {
    JsonNode vwc = only(WEBHOOK.resolve("webhook.yaml"), "ValidatingWebhookConfiguration");
    assertThat(vwc.path("apiVersion").asText()).isEqualTo("admissionregistration.k8s.io/v1");
    assertThat(vwc.path("webhooks")).hasSize(1);
    JsonNode w = vwc.path("webhooks").get(0);

    assertThat(texts(w.path("admissionReviewVersions"))).containsExactly("v1");
    assertThat(w.path("sideEffects").asText()).isIn("None", "NoneOnDryRun");
    assertThat(w.path("failurePolicy").asText()).isIn("Ignore", "Fail");
    assertThat(w.path("matchPolicy").asText()).isEqualTo("Equivalent");
    assertThat(w.path("name").asText()).contains(".");

    // The service's budget must end before the API server's timeout does.
    int timeout = w.path("timeoutSeconds").asInt();
    assertThat(timeout).isBetween(1, 30);
    Duration budget =
        Duration.parse(
            AdmissionConfig.class.getMethod("budget").getAnnotation(WithDefault.class).value());
    assertThat(budget).isLessThan(Duration.ofSeconds(timeout));

    JsonNode rule = w.path("rules").get(0);
    assertThat(texts(rule.path("apiGroups"))).containsExactly("");
    assertThat(texts(rule.path("resources"))).contains("secrets");
    assertThat(texts(rule.path("operations"))).contains("CREATE", "UPDATE", "DELETE");

    JsonNode excluded = w.path("namespaceSelector").path("matchExpressions").get(0);
    assertThat(excluded.path("key").asText()).isEqualTo("kubernetes.io/metadata.name");
    assertThat(excluded.path("operator").asText()).isEqualTo("NotIn");
    assertThat(texts(excluded.path("values")))
        .contains("kube-system", "kube-node-lease", "portcullis");

    JsonNode svcRef = w.path("clientConfig").path("service");
    assertThat(svcRef.path("path").asText()).isEqualTo("/k8s/validate");
    JsonNode service = only(WEBHOOK.resolve("webhook.yaml"), "Service");
    assertThat(svcRef.path("name").asText())
        .isEqualTo(service.path("metadata").path("name").asText());
    assertThat(svcRef.path("namespace").asText())
        .isEqualTo(service.path("metadata").path("namespace").asText());
    assertThat(service.path("spec").path("ports").get(0).path("port").asInt())
        .isEqualTo(svcRef.path("port").asInt());

    // The CA comes from the Certificate the annotation names, issued for the Service's name.
    String inject =
        vwc.path("metadata").path("annotations").path("cert-manager.io/inject-ca-from").asText();
    JsonNode cert = only(WEBHOOK.resolve("webhook.yaml"), "Certificate");
    assertThat(inject)
        .isEqualTo(
            cert.path("metadata").path("namespace").asText()
                + "/"
                + cert.path("metadata").path("name").asText());
    assertThat(texts(cert.path("spec").path("dnsNames")))
        .contains(svcRef.path("name").asText() + "." + svcRef.path("namespace").asText() + ".svc");
  }

  @Test
  void theServiceReachesThePodsHttpsPortWhereTheCertificateIsMounted() throws IOException {
    JsonNode service = only(WEBHOOK.resolve("webhook.yaml"), "Service");
    JsonNode base = only(KUBERNETES.resolve("portcullis.yaml"), "Deployment");
    JsonNode patch = only(WEBHOOK.resolve("deployment-tls.yaml"), "Deployment");
    assertThat(patch.path("metadata").path("name")).isEqualTo(base.path("metadata").path("name"));
    assertThat(patch.path("metadata").path("namespace"))
        .isEqualTo(base.path("metadata").path("namespace"));
    assertThat(service.path("spec").path("selector"))
        .isEqualTo(base.path("spec").path("template").path("metadata").path("labels"));

    JsonNode container = patch.path("spec").path("template").path("spec").path("containers").get(0);
    assertThat(container.path("name").asText())
        .isEqualTo(
            base.path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("name")
                .asText());
    String targetPort = service.path("spec").path("ports").get(0).path("targetPort").asText();
    JsonNode port = null;
    for (JsonNode p : container.path("ports")) {
      if (targetPort.equals(p.path("name").asText())) {
        port = p;
      }
    }
    assertThat(port).as("container port named %s", targetPort).isNotNull();
    assertThat(port.path("containerPort").asInt()).as("Quarkus's HTTPS port").isEqualTo(8443);

    JsonNode cert = only(WEBHOOK.resolve("webhook.yaml"), "Certificate");
    JsonNode volume = patch.path("spec").path("template").path("spec").path("volumes").get(0);
    assertThat(volume.path("secret").path("secretName").asText())
        .isEqualTo(cert.path("spec").path("secretName").asText());
    String mount = container.path("volumeMounts").get(0).path("mountPath").asText();
    List<String> files = new ArrayList<>();
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().startsWith("QUARKUS_TLS_KEY_STORE_PEM__0__")) {
        files.add(env.path("value").asText());
      }
    }
    assertThat(files).containsExactlyInAnyOrder(mount + "/tls.crt", mount + "/tls.key");
  }
}
