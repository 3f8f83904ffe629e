package dev.portcullis.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import dev.portcullis.policy.PolicyCompiler;
import dev.portcullis.policy.PolicySources;
import dev.portcullis.testing.KafkaBrokerResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/policies} and {@code GET /v1/exceptions} on the repository's rules/. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class PoliciesResourceTest {

  @Test
  void listsTheLoadedPoliciesWithMetadataVersionAndEffectiveMode() throws Exception {
    String version = PolicyCompiler.version(PolicySources.fromDirectory(Path.of("rules")));
    given()
        .get("/v1/policies")
        .then()
        .statusCode(200)
        .body("version", equalTo(version))
        .body("loadedAt", notNullValue())
        .body("origin", equalTo(Path.of("rules").toAbsolutePath().normalize().toString()))
        .body("watching", equalTo(true))
        .body("warnings", empty())
        .body("lastReload.result", equalTo("loaded"))
        .body("policies.find { it.id == 'cloudtrail-stopped' }.title", notNullValue())
        .body("policies.find { it.id == 'cloudtrail-stopped' }.severity", equalTo("high"))
        .body("policies.find { it.id == 'cloudtrail-stopped' }.enforcement", equalTo("alert"))
        .body(
            "policies.find { it.id == 'cloudtrail-stopped' }.effectiveEnforcement",
            equalTo("alert"))
        .body("policies.find { it.id == 'cloudtrail-stopped' }.overridden", equalTo(false))
        .body(
            "policies.find { it.id == 'cloudtrail-stopped' }.eventNames",
            hasItems("StopLogging", "DeleteTrail"))
        .body(
            "policies.find { it.id == 'cloudtrail-stopped' }.owner", equalTo("platform-security"));
  }

  @Test
  void listsNoExceptionsWhenThereAreNone() {
    given()
        .get("/v1/exceptions")
        .then()
        .statusCode(200)
        .body("exceptions", empty())
        .body("expiring", empty())
        .body("expiringWithin", equalTo("PT168H"));
  }
}
