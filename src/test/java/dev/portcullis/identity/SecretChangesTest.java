package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which GitOps tool manages a Secret, read from its labels, annotations and owners. */
class SecretChangesTest {

  static ChangeEvent patchOf(String metadata) throws Exception {
    String json =
        "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a-1\","
            + "\"stage\":\"ResponseComplete\",\"verb\":\"patch\","
            + "\"user\":{\"username\":\"alice@example.com\"},"
            + "\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"ns\",\"name\":\"s\","
            + "\"apiVersion\":\"v1\"},\"responseStatus\":{\"code\":200},"
            + "\"responseObject\":{\"kind\":\"Secret\",\"metadata\":"
            + metadata
            + ",\"data\":{\"k\":\"dg==\"}},"
            + "\"requestReceivedTimestamp\":\"2026-11-20T10:00:00Z\"}";
    return new EventDecoder(new ObjectMapper(), 1 << 20)
        .decode(json.getBytes(StandardCharsets.UTF_8), Instant.EPOCH)
        .events()
        .get(0);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"labels\":{\"argocd.argoproj.io/instance\":\"app\"}}|Argo CD",
        "{\"annotations\":{\"argocd.argoproj.io/tracking-id\":\"app:/Secret:ns/s\"}}|Argo CD",
        "{\"labels\":{\"kustomize.toolkit.fluxcd.io/name\":\"apps\"}}|Flux",
        "{\"labels\":{\"helm.toolkit.fluxcd.io/name\":\"rel\"}}|Flux",
        "{\"ownerReferences\":[{\"kind\":\"ExternalSecret\",\"name\":\"s\"}]}|External Secrets",
        "{\"annotations\":{\"reconcile.external-secrets.io/data-hash\":\"abc\"}}|External Secrets",
        "{\"ownerReferences\":[{\"kind\":\"SealedSecret\",\"name\":\"s\"}]}|Sealed Secrets",
        "{\"annotations\":{\"cert-manager.io/certificate-name\":\"tls\"}}|cert-manager",
        "{\"labels\":{\"app.kubernetes.io/managed-by\":\"Helm\"}}|Helm"
      })
  void readsTheManagingToolFromTheObject(String metadata, String tool) throws Exception {
    assertThat(SecretChanges.managedBy(patchOf(metadata))).isEqualTo(tool);
  }

  @Test
  void aSecretWithoutSuchMarksIsManagedByNobody() throws Exception {
    assertThat(SecretChanges.managedBy(patchOf("{\"labels\":{\"app\":\"web\"}}"))).isNull();
  }
}
