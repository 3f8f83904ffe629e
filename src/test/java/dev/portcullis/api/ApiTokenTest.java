package dev.portcullis.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code portcullis.api.token} set, the /v1 API answers only requests that present it. */
@QuarkusTest
@TestProfile(ApiTokenTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class ApiTokenTest {

  static final String TOKEN = "s3cr3t-api-token";

  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("portcullis.api.token", TOKEN);
    }
  }

  @Test
  void aRequestWithoutTheTokenIsRefused() {
    given()
        .get("/v1/policies")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer")
        .body("error", equalTo("unauthorized"))
        .body(
            "message",
            equalTo(
                "this API needs a bearer token: send Authorization: Bearer"
                    + " <portcullis.api.token>"));
    given().post("/v1/alerts/0123abcd/resolve").then().statusCode(401);
    given().post("/v1/policies/reload").then().statusCode(401);
  }

  @Test
  void aWrongTokenIsRefusedWithoutSayingWhatTheRightOneIs() {
    given()
        .header("Authorization", "Bearer " + TOKEN + "x")
        .get("/v1/alerts")
        .then()
        .statusCode(401)
        .body("message", not(org.hamcrest.Matchers.containsString(TOKEN)));
    given().header("Authorization", "Basic " + TOKEN).get("/v1/alerts").then().statusCode(401);
  }

  @Test
  void theTokenOpensEveryV1Endpoint() {
    given().header("Authorization", "Bearer " + TOKEN).get("/v1/policies").then().statusCode(200);
    given().header("Authorization", "bearer " + TOKEN).get("/v1/exceptions").then().statusCode(200);
    given()
        .header("Authorization", "Bearer " + TOKEN)
        .contentType(ContentType.JSON)
        .body(Events.load("stop-logging.json", Events.newId()))
        .post("/v1/evaluate")
        .then()
        .statusCode(200)
        .body("results[0].decisions[0].policy", equalTo("cloudtrail-stopped"));
  }

  @Test
  void probesMetricsAndTheAdmissionWebhookNeedNoToken() {
    // Right after start the stream may still be CREATED (live is down then); it is up without a
    // token.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(() -> given().get("/q/health/live").then().statusCode(200));
    given().get("/q/metrics").then().statusCode(200);
    // Not a review: the webhook's own 400, not the API's 401.
    given()
        .body("{}")
        .post("/k8s/validate")
        .then()
        .statusCode(400)
        .body("error", not(equalTo("unauthorized")));
  }

  @Test
  void theConsoleLoginTradesTheTokenForASessionCookieAndChangesNeedItsCsrfToken() {
    given()
        .redirects()
        .follow(false)
        .formParam("token", "not-it")
        .post("/console/login")
        .then()
        .statusCode(303)
        .header("Location", org.hamcrest.Matchers.endsWith("/login.html?failed"))
        .header("Set-Cookie", org.hamcrest.Matchers.nullValue());
    io.restassured.response.Response login =
        given().redirects().follow(false).formParam("token", TOKEN).post("/console/login");
    login.then().statusCode(303).header("Location", org.hamcrest.Matchers.endsWith("/"));
    String setCookie = login.header("Set-Cookie");
    org.assertj.core.api.Assertions.assertThat(setCookie)
        .contains("portcullis_session=", "HttpOnly", "SameSite=Strict")
        .doesNotContain(TOKEN);
    String cookie = login.cookie(ConsoleSessions.COOKIE);

    given().cookie(ConsoleSessions.COOKIE, cookie).get("/v1/alerts").then().statusCode(200);
    String csrf =
        given()
            .cookie(ConsoleSessions.COOKIE, cookie)
            .get("/v1/console/session")
            .then()
            .statusCode(200)
            .body("via", equalTo("cookie"))
            .extract()
            .path("csrf");
    given()
        .cookie(ConsoleSessions.COOKIE, cookie)
        .post("/v1/policies/reload")
        .then()
        .statusCode(403)
        .body("error", equalTo("csrf"));
    given()
        .cookie(ConsoleSessions.COOKIE, cookie)
        .header(ConsoleSessions.CSRF_HEADER, csrf + "x")
        .post("/v1/policies/reload")
        .then()
        .statusCode(403);
    given()
        .cookie(ConsoleSessions.COOKIE, cookie)
        .header(ConsoleSessions.CSRF_HEADER, csrf)
        .post("/v1/policies/reload")
        .then()
        .statusCode(200);
    // A forged or altered cookie opens nothing; a wrong bearer token is not rescued by a cookie.
    given()
        .cookie(ConsoleSessions.COOKIE, cookie.substring(0, cookie.length() - 2) + "AA")
        .get("/v1/alerts")
        .then()
        .statusCode(401);
    given()
        .cookie(ConsoleSessions.COOKIE, cookie)
        .header("Authorization", "Bearer wrong")
        .get("/v1/alerts")
        .then()
        .statusCode(401);
    // No other site can log a browser in.
    given()
        .redirects()
        .follow(false)
        .header("Origin", "https://evil.example")
        .formParam("token", TOKEN)
        .post("/console/login")
        .then()
        .statusCode(403);
    given()
        .redirects()
        .follow(false)
        .post("/console/logout")
        .then()
        .statusCode(303)
        .header("Set-Cookie", org.hamcrest.Matchers.containsString("Max-Age=0"));
  }
}
