package dev.portcullis.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.AdmissionReviews;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.TestCertificates;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook with the operator's override {@code untracked-secret=alert} and the default failure
 * policy (allow): what would be denied is allowed with a warning, and a review the policies cannot
 * judge in time is allowed with a warning saying so.
 */
@QuarkusTest
@TestProfile(AdmissionAlertModeTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class AdmissionAlertModeTest {

  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "portcullis.policy.enforcement.\"untracked-secret\"",
          "alert",
          "quarkus.tls.key-store.pem.0.cert",
          TestCertificates.cert().toString(),
          "quarkus.tls.key-store.pem.0.key",
          TestCertificates.key().toString(),
          "quarkus.http.test-ssl-port",
          "0");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
      return Set.of(StallingEnrichment.class);
    }
  }

  @TestHTTPResource(value = "/k8s/validate", tls = true)
  URL validate;

  static TopicWatcher decisions;

  @BeforeAll
  static void watch() {
    decisions =
        new TopicWatcher(KafkaBrokerResource.broker().bootstrapServers(), "portcullis.decisions");
  }

  @AfterAll
  static void close() throws Exception {
    StallingEnrichment.release();
    decisions.close();
  }

  @Test
  void theOverrideTurnsTheDenialIntoAnAllowWithAWarning() {
    AdmissionReviews.Request r = AdmissionReviews.secret("payments", "db-password");
    JsonNode answer = WebhookClient.answer(WebhookClient.post(validate, r.review()));
    assertThat(answer.path("uid").asText()).isEqualTo(r.uid());
    assertThat(answer.path("allowed").asBoolean(false)).isTrue();
    assertThat(answer.has("status")).isFalse();
    assertThat(answer.path("warnings")).hasSize(1);
    assertThat(answer.path("warnings").get(0).asText())
        .startsWith("untracked-secret: alice@example.com created secret payments/db-password")
        .endsWith(
            "(runbook: https://github.com/portcullis-dev/portcullis/blob/main/docs/runbooks.md"
                + "#untracked-secret)")
        .hasSizeLessThanOrEqualTo(256);
    assertThat(answer.path("auditAnnotations").path("decision").asText()).isEqualTo("warned");
    assertThat(answer.path("auditAnnotations").path("warned-by").asText())
        .isEqualTo("untracked-secret");

    await().atMost(Duration.ofSeconds(30)).until(() -> !decisions.withKey(r.uid()).isEmpty());
    JsonNode record = AdmissionReviews.read(decisions.withKey(r.uid()).get(0).value());
    JsonNode d = record.path("decisions").get(0);
    assertThat(d.path("action").asText()).isEqualTo("alert");
    assertThat(d.path("verdict").asText()).isEqualTo("block");
    assertThat(record.path("outcome").has("succeeded")).isFalse();
  }

  @Test
  void aSlowEvaluationIsAllowedByTheDefaultFailurePolicyWithAWarning() {
    StallingEnrichment.arm();
    int finishedBefore = StallingEnrichment.finished();
    AdmissionReviews.Request r = AdmissionReviews.secret(StallingEnrichment.NAMESPACE, "slow");
    try {
      JsonNode answer = WebhookClient.answer(WebhookClient.post(validate, r.review()));
      assertThat(StallingEnrichment.finished()).isEqualTo(finishedBefore);
      assertThat(answer.path("uid").asText()).isEqualTo(r.uid());
      assertThat(answer.path("allowed").asBoolean(false)).isTrue();
      assertThat(answer.path("warnings").get(0).asText())
          .contains("could not judge this request within 2 s")
          .contains("allowed by its failure policy");
      assertThat(answer.path("auditAnnotations").path("decision").asText())
          .isEqualTo("failure-allowed");
    } finally {
      StallingEnrichment.release();
    }
  }
}
