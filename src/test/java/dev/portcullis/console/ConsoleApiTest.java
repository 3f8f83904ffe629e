package dev.portcullis.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.CaseResult;
import dev.portcullis.policy.PolicyEngine;
import dev.portcullis.policy.PolicySources;
import dev.portcullis.policy.PolicyTestSuite;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The API under the web console, on the default profile (no token): decisions read back from the
 * topic with their event and no secret value, the playground's test case, the policy test results,
 * and cross-site changes refused.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class ConsoleApiTest {

  static final String SECRET = "plain-SECRET-VALUE";

  @Inject PolicyEngine engine;

  @Test
  void aDecisionIsListedAndShownWithItsEventAndNoSecretValue() throws Exception {
    String id = Events.newId();
    String audit = Events.load("secret-create.json", id).replace("STAGE", "ResponseComplete");
    assertThat(audit).contains(SECRET);
    try (Producer p = new Producer(KafkaBrokerResource.broker().bootstrapServers())) {
      p.send("portcullis.k8s-audit", audit);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                given()
                    .queryParam("source", "k8s-audit")
                    .queryParam("target", "db-password")
                    .get("/v1/decisions")
                    .asString()
                    .contains(id));
    // Filters that do not match leave it out.
    assertThat(given().queryParam("source", "cloudtrail").get("/v1/decisions").asString())
        .doesNotContain(id);
    assertThat(given().queryParam("actor", "nobody-like-this").get("/v1/decisions").asString())
        .doesNotContain(id);

    String detail = given().get("/v1/decisions/" + id).then().statusCode(200).extract().asString();
    JsonNode d = Events.read(detail);
    assertThat(d.path("record").path("eventId").asText()).isEqualTo(id);
    assertThat(d.path("input").path("topic").asText()).isEqualTo("portcullis.k8s-audit");
    assertThat(d.path("event").path("objectRef").path("name").asText()).isEqualTo("db-password");
    assertThat(d.path("redacted").toString()).contains("requestObject/data");
    assertThat(detail).doesNotContain(SECRET).doesNotContain("aHVudGVyMi1TRUNSRVQtVkFMVUU=");

    given().get("/v1/decisions/no-such-event").then().statusCode(404);
  }

  @Test
  void thePlaygroundsTestCasePassesAsACaseOfThePolicy() throws Exception {
    byte[] input = Files.readAllBytes(Path.of("docs/examples/etcd-backups-lifecycle.json"));
    String yaml =
        given()
            .queryParam("policy", "etcd-control-files")
            .contentType(ContentType.JSON)
            .body(input)
            .post("/v1/evaluate/test-case")
            .then()
            .statusCode(200)
            .contentType("application/yaml")
            .extract()
            .asString();
    assertThat(yaml).contains("event:", "expect:", "action: alert", "severity: critical");

    // Dropped into the policy's tests/ folder, the case passes against the policies.
    Map<String, byte[]> files = new TreeMap<>(PolicySources.bundled());
    files.put(
        "etcd-control-files/tests/from-playground.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    PolicyTestSuite suite = engine.testSuite(files);
    assertThat(suite.problems()).isEmpty();
    List<CaseResult> results = suite.runAll();
    CaseResult saved =
        results.stream()
            .filter(r -> r.testCase().name().equals("from-playground"))
            .findFirst()
            .orElseThrow();
    assertThat(saved.passed()).as(String.valueOf(saved.failure())).isTrue();

    // A case that expects silence, for a policy the input does not concern.
    String quiet =
        given()
            .queryParam("policy", "cloudtrail-stopped")
            .body(input)
            .post("/v1/evaluate/test-case")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(quiet).contains("expect: []");

    given()
        .queryParam("policy", "no-such-policy")
        .body(input)
        .post("/v1/evaluate/test-case")
        .then()
        .statusCode(404);
  }

  @Test
  void thePolicyTestCasesAreRunAndTheirResultsKept() {
    JsonNode first =
        Events.read(given().get("/v1/policies/tests").then().statusCode(200).extract().asString());
    assertThat(first.path("failed").asInt()).isZero();
    assertThat(first.path("passed").asInt()).isGreaterThan(50);
    assertThat(first.path("cases").size()).isEqualTo(first.path("passed").asInt());
    JsonNode again = Events.read(given().get("/v1/policies/tests").asString());
    assertThat(again.path("ranAt")).isEqualTo(first.path("ranAt"));
    JsonNode rerun =
        Events.read(given().queryParam("run", true).get("/v1/policies/tests").asString());
    assertThat(rerun.path("ranAt").asText()).isNotEqualTo(first.path("ranAt").asText());
  }

  @Test
  void aChangeAskedForByAnotherSiteIsRefusedEvenWithoutAToken() {
    String body = Events.load("stop-logging.json", Events.newId());
    given()
        .header("Origin", "https://evil.example")
        .body(body)
        .post("/v1/evaluate")
        .then()
        .statusCode(403);
    given()
        .header("Sec-Fetch-Site", "cross-site")
        .body(body)
        .post("/v1/evaluate")
        .then()
        .statusCode(403);
    given()
        .header("Sec-Fetch-Site", "same-origin")
        .body(body)
        .post("/v1/evaluate")
        .then()
        .statusCode(200);
    // Reading is not a change.
    given().header("Origin", "https://evil.example").get("/v1/policies").then().statusCode(200);
    given()
        .get("/v1/console/session")
        .then()
        .statusCode(200)
        .body("tokenRequired", org.hamcrest.Matchers.equalTo(false));
    // The console itself is served, with a policy that keeps other sites' scripts out.
    given()
        .get("/")
        .then()
        .statusCode(200)
        .header(
            "Content-Security-Policy", org.hamcrest.Matchers.containsString("script-src 'self'"))
        .header(
            "Content-Security-Policy",
            org.hamcrest.Matchers.containsString("frame-ancestors 'none'"));
  }
}
