package dev.portcullis.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.StreamCluster;
import dev.portcullis.testing.TempDirs;
import dev.portcullis.testing.TestCertificates;
import dev.portcullis.testing.TopicWatcher;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit webhook of the packaged service, wired as docs/intake.md tells a cluster admin: the
 * serving certificate and the token through the environment variables the manifests in
 * deploy/audit-webhook set, and the API server's side from
 * deploy/audit-webhook/webhook-kubeconfig.yaml filled in with the service's address, its CA and the
 * token. The batch is the exact bytes an API server sends (mixed stages, a Secret), posted as the
 * API server's client does: to the kubeconfig's server, trusting only the kubeconfig's CA, with its
 * bearer token.
 */
class AuditWebhookIT {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();
  static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker =
        new EmbeddedKafkaBroker(0, TempDirs.create("audit-webhook-kafka"))
            .start(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  /** The environment variables a container of deploy/audit-webhook gets, by name. */
  static Map<String, String> deployedEnvNames() throws Exception {
    Map<String, String> names = new HashMap<>();
    for (String file :
        List.of(
            "deploy/admission-webhook/deployment-tls.yaml",
            "deploy/audit-webhook/deployment-token.yaml")) {
      JsonNode container =
          YAML.readTree(Path.of(file).toFile())
              .path("spec")
              .path("template")
              .path("spec")
              .path("containers")
              .get(0);
      for (JsonNode e : container.path("env")) {
        names.put(e.path("name").asText(), e.path("value").asText(null));
      }
    }
    return names;
  }

  @Test
  void theApiServersBatchArrivesThroughTheDocumentedKubeconfigAndIsDecided() throws Exception {
    String token = UUID.randomUUID().toString();
    Map<String, String> deployed = deployedEnvNames();
    assertThat(deployed)
        .containsKeys(
            "QUARKUS_TLS_KEY_STORE_PEM__0__CERT",
            "QUARKUS_TLS_KEY_STORE_PEM__0__KEY",
            "PORTCULLIS_INTAKE_K8S_AUDIT_TOKEN");
    int httpsPort = dev.portcullis.testing.PackagedApp.freePort();

    try (StreamCluster c =
        new StreamCluster("audit-webhook", broker, "portcullis.ingest.stage-wait=PT2S\n")) {
      c.extraEnv.put("QUARKUS_TLS_KEY_STORE_PEM__0__CERT", TestCertificates.cert().toString());
      c.extraEnv.put("QUARKUS_TLS_KEY_STORE_PEM__0__KEY", TestCertificates.key().toString());
      c.extraEnv.put("PORTCULLIS_INTAKE_K8S_AUDIT_TOKEN", token);
      c.extraEnv.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(httpsPort));
      c.start();

      // The cluster admin's side: the kubeconfig from deploy/, filled in as docs/intake.md says.
      String kubeconfig =
          Files.readString(Path.of("deploy/audit-webhook/webhook-kubeconfig.yaml"))
              .replace("${PORTCULLIS_AUDIT_URL}", "https://127.0.0.1:" + httpsPort + "/k8s/audit")
              .replace(
                  "${PORTCULLIS_CA_DATA}",
                  Base64.getEncoder().encodeToString(Files.readAllBytes(TestCertificates.cert())))
              .replace("${PORTCULLIS_AUDIT_TOKEN}", token);
      JsonNode kc = YAML.readTree(kubeconfig);
      String server = kc.path("clusters").get(0).path("cluster").path("server").asText();
      byte[] ca =
          Base64.getDecoder()
              .decode(
                  kc.path("clusters")
                      .get(0)
                      .path("cluster")
                      .path("certificate-authority-data")
                      .asText());
      String bearer = kc.path("users").get(0).path("user").path("token").asText();

      HttpClient apiServer =
          HttpClient.newBuilder()
              .sslContext(trusting(ca))
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      HttpIntakeTest.Batch b = HttpIntakeTest.Batch.fresh();
      HttpResponse<String> r =
          apiServer.send(
              HttpRequest.newBuilder(URI.create(server))
                  .header("Content-Type", "application/json")
                  .header("Accept", "application/json, */*")
                  .header("User-Agent", "kube-apiserver-admission")
                  .header("Authorization", "Bearer " + bearer)
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofString(b.body()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(JSON.readTree(r.body()).path("accepted").asInt()).isEqualTo(4);
      try (TopicWatcher audit = new TopicWatcher(broker.bootstrapServers(), c.topic("k8s-audit"))) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(audit.withKey(b.secret())).hasSize(2));
        assertThat(audit.matching(x -> true).stream().map(TopicWatcher.Record::value))
            .noneMatch(v -> v.contains(HttpIntakeTest.SECRET_DATA));
      }
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(c.decisionsByKey()).containsKeys(b.secret(), b.pods(), b.watch()));
      JsonNode secret = c.decisionsByKey().get(b.secret()).get(0);
      assertThat(secret.path("decisions").get(0).path("policy").asText())
          .isEqualTo("untracked-secret");
      assertThat(c.decisionsByKey().get(b.secret())).hasSize(1);

      // The same batch over plain HTTP, or without the token, is refused.
      HttpResponse<String> plain =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(c.apps.get(0).url("/k8s/audit")))
                      .header("Authorization", "Bearer " + bearer)
                      .POST(HttpRequest.BodyPublishers.ofString(b.body()))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(403);
      HttpResponse<String> noToken =
          apiServer.send(
              HttpRequest.newBuilder(URI.create(server))
                  .POST(HttpRequest.BodyPublishers.ofString(b.body()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(noToken.statusCode()).isEqualTo(401);
    }
  }

  static SSLContext trusting(byte[] caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry(
        "ca",
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(caPem)));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }
}
