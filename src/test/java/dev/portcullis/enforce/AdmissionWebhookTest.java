package dev.portcullis.enforce;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.AdmissionReviews;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TestCertificates;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The validating admission webhook over HTTPS (a self-signed certificate made by keytool), as the
 * API server calls it, on a copy of rules/ with one exception, the failure policy set to deny and a
 * test enrichment that stalls on the namespace {@value StallingEnrichment#NAMESPACE}. Decision
 * records are read back from the real broker; the stream's verdicts on the audit events of the same
 * requests are compared with the webhook's.
 */
@QuarkusTest
@TestProfile(AdmissionWebhookTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class AdmissionWebhookTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final String RUNBOOK =
      "https://github.com/portcullis-dev/portcullis/blob/main/docs/runbooks.md#untracked-secret";

  /** Tighter than the default, so the oversized review stays small. */
  static final int MAX_BYTES = 256 * 1024;

  public static class Profile implements QuarkusTestProfile {
    static Path rules;

    static synchronized Path rules() {
      if (rules == null) {
        rules = WebhookClient.copyOfRules("portcullis-admission-rules");
        try {
          Files.writeString(
              rules.resolve("exceptions/sandbox-secrets.yaml"),
              "policy: untracked-secret\n"
                  + "match:\n"
                  + "  namespace: sandbox\n"
                  + "reason: Developers try things out by hand in the sandbox namespace.\n"
                  + "owner: platform-security\n"
                  + "approvedBy: carol\n"
                  + "expires: "
                  + Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS)
                  + "\n");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return rules;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "portcullis.policy.dir", rules().toString(),
          "portcullis.admission.on-failure", "deny",
          "portcullis.admission.max-bytes", String.valueOf(MAX_BYTES),
          "quarkus.tls.key-store.pem.0.cert", TestCertificates.cert().toString(),
          "quarkus.tls.key-store.pem.0.key", TestCertificates.key().toString(),
          "quarkus.http.test-ssl-port", "0");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
      return Set.of(StallingEnrichment.class);
    }
  }

  @TestHTTPResource(value = "/k8s/validate", tls = true)
  URL validate;

  static Producer producer;
  static TopicWatcher decisions;

  @BeforeAll
  static void watch() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    producer = new Producer(bootstrap);
    decisions = new TopicWatcher(bootstrap, "portcullis.decisions");
  }

  @AfterAll
  static void close() throws Exception {
    StallingEnrichment.release();
    producer.close();
    decisions.close();
  }

  static JsonNode record(String key) {
    List<TopicWatcher.Record> found = new ArrayList<>();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              found.clear();
              found.addAll(decisions.withKey(key));
              assertThat(found).isNotEmpty();
            });
    assertThat(decisions.withKey(key)).hasSize(1);
    return AdmissionReviews.read(found.get(0).value());
  }

  @Test
  void aPersonsSecretIsDeniedWithThePolicyItsReasonAndItsRunbook() {
    AdmissionReviews.Request r = AdmissionReviews.secret("payments", "db-password");
    HttpResponse<String> http = WebhookClient.post(validate, r.review());
    JsonNode answer = WebhookClient.answer(http);

    assertThat(answer.path("uid").asText()).isEqualTo(r.uid());
    assertThat(answer.path("allowed").asBoolean(true)).isFalse();
    assertThat(answer.path("status").path("code").asInt()).isEqualTo(403);
    assertThat(answer.path("status").path("message").asText())
        .startsWith("blocked by policy untracked-secret: ")
        .contains("alice@example.com created secret payments/db-password outside GitOps")
        .contains("(runbook: " + RUNBOOK + ")");
    assertThat(answer.path("auditAnnotations").path("decision").asText()).isEqualTo("denied");
    assertThat(answer.path("auditAnnotations").path("blocked-by").asText())
        .isEqualTo("untracked-secret");
    assertThat(http.body())
        .doesNotContain(AdmissionReviews.SECRET_VALUE)
        .doesNotContain(AdmissionReviews.SECRET_TEXT);

    JsonNode record = record(r.uid());
    assertThat(record.path("eventId").asText()).isEqualTo(r.uid());
    assertThat(record.path("source").asText()).isEqualTo("k8s-admission");
    assertThat(record.path("action").asText()).isEqualTo("create");
    assertThat(record.path("actor").path("principal").asText()).isEqualTo("alice@example.com");
    assertThat(record.path("target").path("name").asText()).isEqualTo("db-password");
    assertThat(record.path("outcome").path("stage").asText()).isEqualTo("Admission");
    assertThat(record.path("outcome").path("succeeded").asBoolean(true)).isFalse();
    assertThat(record.path("outcome").path("responseCode").asInt()).isEqualTo(403);
    assertThat(record.path("decisions")).hasSize(1);
    assertThat(record.path("decisions").get(0).path("policy").asText())
        .isEqualTo("untracked-secret");
    assertThat(record.path("decisions").get(0).path("action").asText()).isEqualTo("block");
    assertThat(record.toString()).doesNotContain(AdmissionReviews.SECRET_VALUE);
  }

  @Test
  void argoCdsSecretIsAllowed() {
    AdmissionReviews.Request r = AdmissionReviews.secret("payments", "db-password").argoCd();
    JsonNode answer = WebhookClient.answer(WebhookClient.post(validate, r.review()));
    assertThat(answer.path("uid").asText()).isEqualTo(r.uid());
    assertThat(answer.path("allowed").asBoolean(false)).isTrue();
    assertThat(answer.has("status")).isFalse();
    assertThat(answer.has("warnings")).isFalse();
    assertThat(answer.path("auditAnnotations").path("decision").asText()).isEqualTo("allowed");

    JsonNode record = record(r.uid());
    assertThat(record.path("decisions")).isEmpty();
    assertThat(record.path("outcome").has("succeeded")).isFalse();
    assertThat(record.path("actor").path("type").asText()).isEqualTo("iac");
  }

  @Test
  void aDryRunIsDeniedLikeTheRealRequestAndNothingIsRecorded() {
    double skipped = metric("portcullis_admission_records_total{outcome=\"skipped-dry-run\"}");
    AdmissionReviews.Request dry =
        AdmissionReviews.secret("payments", "dry-run-secret").dryRun(true);
    JsonNode answer = WebhookClient.answer(WebhookClient.post(validate, dry.review()));
    assertThat(answer.path("allowed").asBoolean(true)).isFalse();
    assertThat(answer.path("status").path("message").asText())
        .contains("untracked-secret")
        .contains("created secret payments/dry-run-secret");

    // A real request after it is recorded; the dry run before it never is.
    AdmissionReviews.Request marker = AdmissionReviews.secret("payments", "after-dry-run");
    WebhookClient.answer(WebhookClient.post(validate, marker.review()));
    record(marker.uid());
    assertThat(decisions.withKey(dry.uid())).isEmpty();
    assertThat(metric("portcullis_admission_records_total{outcome=\"skipped-dry-run\"}"))
        .isEqualTo(skipped + 1);
  }

  @Test
  void anExceptionAllowsTheRequestAndIsNoted() {
    AdmissionReviews.Request r = AdmissionReviews.secret("sandbox", "try-me");
    JsonNode answer = WebhookClient.answer(WebhookClient.post(validate, r.review()));
    assertThat(answer.path("allowed").asBoolean(false)).isTrue();
    assertThat(answer.has("warnings")).isFalse();
    assertThat(answer.path("auditAnnotations").path("waived-by").asText())
        .isEqualTo("untracked-secret=sandbox-secrets");

    JsonNode d = record(r.uid()).path("decisions").get(0);
    assertThat(d.path("policy").asText()).isEqualTo("untracked-secret");
    assertThat(d.path("action").asText()).isEqualTo("suppressed");
    assertThat(d.path("verdict").asText()).isEqualTo("block");
    assertThat(d.path("exception").asText()).isEqualTo("sandbox-secrets");
  }

  @Test
  void aMalformedReviewGets400WithAClearMessage() {
    HttpResponse<String> notJson = WebhookClient.post(validate, "{\"apiVersion\": ");
    assertThat(notJson.statusCode()).isEqualTo(400);
    JsonNode e = AdmissionReviews.read(notJson.body());
    assertThat(e.path("error").asText()).isEqualTo("not-json");
    assertThat(e.path("message").asText()).contains("not one JSON value");

    String beta =
        AdmissionReviews.secret("payments", "x")
            .review()
            .replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1");
    HttpResponse<String> old = WebhookClient.post(validate, beta);
    assertThat(old.statusCode()).isEqualTo(400);
    assertThat(AdmissionReviews.read(old.body()).path("message").asText())
        .contains("admissionReviewVersions");

    String noUid =
        AdmissionReviews.secret("payments", "x").review().replaceFirst("\"uid\":\"[^\"]+\",", "");
    HttpResponse<String> missing = WebhookClient.post(validate, noUid);
    assertThat(missing.statusCode()).isEqualTo(400);
    JsonNode m = AdmissionReviews.read(missing.body());
    assertThat(m.path("error").asText()).isEqualTo("invalid-record");
    assertThat(m.path("message").asText()).isEqualTo("request.uid is missing");
  }

  @Test
  void anOversizedReviewGets413() {
    String big = AdmissionReviews.secret("payments", "big").padding(MAX_BYTES).review();
    HttpResponse<String> r = WebhookClient.post(validate, big);
    assertThat(r.statusCode()).isEqualTo(413);
    JsonNode e = AdmissionReviews.read(r.body());
    assertThat(e.path("error").asText()).isEqualTo("too-large");
    assertThat(e.path("message").asText()).contains("limit of " + MAX_BYTES);
  }

  @Test
  void aSlowEvaluationGetsTheFailureAnswerWhenTheBudgetIsSpent() {
    StallingEnrichment.arm();
    int stalledBefore = StallingEnrichment.stalled();
    int finishedBefore = StallingEnrichment.finished();
    AdmissionReviews.Request r = AdmissionReviews.secret(StallingEnrichment.NAMESPACE, "slow");
    try {
      long start = System.nanoTime();
      JsonNode answer = WebhookClient.answer(WebhookClient.post(validate, r.review()));
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      // Answered while the evaluation is still stuck: the budget, not the evaluation, ended it.
      assertThat(StallingEnrichment.finished()).isEqualTo(finishedBefore);
      await().atMost(WAIT).until(() -> StallingEnrichment.stalled() > stalledBefore);
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      assertThat(answer.path("uid").asText()).isEqualTo(r.uid());
      assertThat(answer.path("allowed").asBoolean(true)).isFalse();
      assertThat(answer.path("status").path("code").asInt()).isEqualTo(503);
      assertThat(answer.path("status").path("message").asText())
          .contains("could not judge this request within 2 s")
          .contains("denied by its failure policy");
      assertThat(answer.path("auditAnnotations").path("failure").asText()).isEqualTo("timeout");
    } finally {
      StallingEnrichment.release();
    }
    // The evaluation finishes later and is recorded with what the API server was told.
    JsonNode record = record(r.uid());
    assertThat(record.path("outcome").path("responseCode").asInt()).isEqualTo(503);
    assertThat(record.path("decisions").get(0).path("policy").asText())
        .isEqualTo(AdmissionWebhook.FAILURE_POLICY);
    assertThat(record.path("decisions").get(0).path("action").asText()).isEqualTo("audit");
    assertThat(record.path("decisions").get(1).path("policy").asText())
        .isEqualTo("untracked-secret");
    assertThat(metric("portcullis_admission_errors_total{reason=\"timeout\"}")).isPositive();
  }

  @Test
  void plainHttpIsRefusedForTheWebhookWhileTheOtherEndpointsStay() {
    given()
        .contentType("application/json")
        .body(AdmissionReviews.secret("payments", "x").review())
        .post("/k8s/validate")
        .then()
        .statusCode(403)
        .body("error", equalTo("https-required"))
        .body("message", containsString("HTTPS only"));
    // Refusing plain HTTP does not make the service unready (once its stream has started).
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(() -> given().get("/q/health/ready").statusCode() == 200);
  }

  @Test
  void reviewsAreCountedPerResultAndTimed() {
    WebhookClient.answer(
        WebhookClient.post(validate, AdmissionReviews.secret("payments", "counted").review()));
    WebhookClient.answer(
        WebhookClient.post(
            validate, AdmissionReviews.secret("payments", "counted").argoCd().review()));
    WebhookClient.post(validate, "[]");
    assertThat(metric("portcullis_admission_reviews_total{result=\"denied\"}")).isPositive();
    assertThat(metric("portcullis_admission_reviews_total{result=\"allowed\"}")).isPositive();
    assertThat(metric("portcullis_admission_reviews_total{result=\"error\"}")).isPositive();
    assertThat(metric("portcullis_admission_errors_total{reason=\"unsupported-shape\"}"))
        .isPositive();
    assertThat(
            metric(
                "portcullis_admission_decisions_total{action=\"block\",policy=\"untracked-secret\"}"))
        .isPositive();
    assertThat(metrics().lines())
        .anyMatch(
            l ->
                l.startsWith("portcullis_admission_latency_seconds_bucket{")
                    && l.contains("result=\"denied\""));
    assertThat(metric("portcullis_admission_latency_seconds_count{result=\"allowed\"}"))
        .isPositive();
  }

  /**
   * The check: the same requests through the stream give the same verdicts. Each request
   * goes to the webhook as a review and to Kafka as its audit event; both decision records must
   * hold the same findings (policy, effective action, verdict).
   */
  @Test
  void theSameRequestsThroughTheStreamGetTheSameVerdicts() {
    List<AdmissionReviews.Request> requests =
        List.of(
            AdmissionReviews.secret("payments", "parity-person"),
            AdmissionReviews.secret("payments", "parity-argo").argoCd(),
            AdmissionReviews.secret("payments", "parity-ci")
                .user(
                    "system:serviceaccount:ci:deployer",
                    List.of("system:serviceaccounts", "system:authenticated"),
                    "kubectl/v1.30.2"),
            AdmissionReviews.secret("payments", "parity-delete").operation("DELETE"),
            AdmissionReviews.secret("payments", "parity-drift")
                .operation("UPDATE")
                .labels(Map.of("argocd.argoproj.io/instance", "payments-prod")),
            AdmissionReviews.secret("payments", "parity-config").configMap(),
            AdmissionReviews.secret("payments", "parity-controller")
                .user("system:kube-controller-manager", List.of("system:authenticated"), "kcm"),
            AdmissionReviews.secret("sandbox", "parity-waived"));
    List<Boolean> allowed = new ArrayList<>();
    for (AdmissionReviews.Request r : requests) {
      allowed.add(
          WebhookClient.answer(WebhookClient.post(validate, r.review()))
              .path("allowed")
              .asBoolean());
      producer.send("portcullis.k8s-audit", r.auditEvent());
    }
    int blocked = 0;
    for (int i = 0; i < requests.size(); i++) {
      AdmissionReviews.Request r = requests.get(i);
      JsonNode atAdmission = record(r.uid());
      JsonNode onStream = record(r.auditId());
      assertThat(onStream.path("source").asText()).isEqualTo("k8s-audit");
      assertThat(verdicts(atAdmission))
          .as("verdicts on %s", onStream.path("target"))
          .isEqualTo(verdicts(onStream));
      boolean streamBlocks = verdicts(onStream).stream().anyMatch(v -> v.startsWith("block "));
      assertThat(allowed.get(i)).isEqualTo(!streamBlocks);
      blocked += streamBlocks ? 1 : 0;
    }
    assertThat(blocked).as("person, CI account, delete, drift").isEqualTo(4);
  }

  static List<String> verdicts(JsonNode record) {
    List<String> out = new ArrayList<>();
    for (JsonNode d : record.path("decisions")) {
      out.add(
          d.path("action").asText()
              + " "
              + d.path("policy").asText()
              + " (verdict "
              + d.path("verdict").asText()
              + ", exception "
              + d.path("exception").asText("none")
              + ")");
    }
    return out;
  }

  static String metrics() {
    return given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  static double metric(String series) {
    for (String line : metrics().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }
}
