package dev.portcullis.enforce;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.portcullis.testing.AdmissionReviews;
import dev.portcullis.testing.KafkaBrokerResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The default run has no certificate: the service starts as always and the webhook answers on plain
 * HTTP (for trying it out; the API server itself only calls HTTPS).
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class AdmissionWithoutTlsTest {

  @Test
  void theWebhookAnswersOnPlainHttpWhenNoCertificateIsConfigured() {
    AdmissionReviews.Request r = AdmissionReviews.secret("payments", "db-password");
    given()
        .contentType("application/json")
        .body(r.review())
        .post("/k8s/validate")
        .then()
        .statusCode(200)
        .body("apiVersion", equalTo("admission.k8s.io/v1"))
        .body("kind", equalTo("AdmissionReview"))
        .body("response.uid", equalTo(r.uid()))
        .body("response.allowed", equalTo(false))
        .body("response.status.code", equalTo(403))
        .body("response.status.message", containsString("untracked-secret"));
  }

  @Test
  void theDocumentedExampleReviewIsDenied() {
    given()
        .contentType("application/json")
        .body(new java.io.File("docs/examples/admission-review-secret.json"))
        .post("/k8s/validate")
        .then()
        .statusCode(200)
        .body("response.uid", equalTo("705ab4f5-6393-11e8-b7cc-42010a800002"))
        .body("response.allowed", equalTo(false))
        .body("response.status.message", containsString("runbook"));
  }
}
