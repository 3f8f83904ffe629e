package dev.portcullis.alert;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The default run: no sink configured. The service is ready, alerting routes and tracks the problem
 * (so {@code GET /v1/alerts} shows it) and sends it nowhere, without failing.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class AlertingWithoutSinksTest {

  @Test
  void withNoSinkAnAlertIsTrackedSentNowhereAndNothingFails() throws Exception {
    String trail = "no-sink-" + Events.newId().substring(0, 8);
    try (Producer p = new Producer(KafkaBrokerResource.broker().bootstrapServers())) {
      p.send(
          "portcullis.cloudtrail",
          Events.load("stop-logging.json", Events.newId())
              .replace("trail/org-trail", "trail/" + trail));
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> given().get("/v1/alerts").asString().contains("trail/" + trail));
    for (JsonNode a : Events.read(given().get("/v1/alerts").asString())) {
      if (a.path("target").asText().endsWith("trail/" + trail)) {
        assertThat(a.path("status").asText()).isEqualTo("open");
        assertThat(a.path("sinks")).isEmpty();
        assertThat(a.path("owed")).isEmpty();
        assertThat(a.path("count").asLong()).isEqualTo(1);
      }
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(() -> given().get("/q/health/ready").statusCode() == 200);
    Response ready = given().get("/q/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.jsonPath().getInt("checks.find { it.name == 'alerting' }.data.sinks"))
        .isZero();
    assertThat(given().get("/v1/alerts/sinks").asString()).isEqualTo("[]");
  }
}
