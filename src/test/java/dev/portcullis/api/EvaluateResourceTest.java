package dev.portcullis.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/evaluate}: answers decisions for any input shape, publishes nothing. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class EvaluateResourceTest {

  @Test
  void answersTheDecisionsOfASingleCloudTrailRecord() {
    String id = Events.newId();
    given()
        .contentType(ContentType.JSON)
        .body(Events.load("stop-logging.json", id))
        .post("/v1/evaluate")
        .then()
        .statusCode(200)
        .body("results", hasSize(1))
        .body("results[0].eventId", equalTo(id))
        .body("results[0].source", equalTo("cloudtrail"))
        .body("results[0].decisions[0].policy", equalTo("cloudtrail-stopped"))
        .body("results[0].decisions[0].action", equalTo("alert"))
        .body("results[0].decisions[0].severity", equalTo("high"))
        .body("results[0].decisions[0].summary", containsString("StopLogging"))
        .body("rejected", empty());
  }

  @Test
  void answersOneResultPerRecordOfAGzipLogFileAndListsWhatIsNoEvent() {
    String a = Events.newId();
    String b = Events.newId();
    String file =
        "{\"Records\":["
            + Events.load("stop-logging.json", a)
            + ",\"oops\","
            + Events.load("list-buckets.json", b)
            + "]}";
    given()
        .contentType("application/octet-stream")
        .body(Events.gzip(file))
        .post("/v1/evaluate")
        .then()
        .statusCode(200)
        .body("results.eventId", org.hamcrest.Matchers.contains(a, b))
        .body("results[1].decisions", empty())
        .body("rejected", hasSize(1))
        .body("rejected[0].location", equalTo("Records[1]"))
        .body("rejected[0].reason", equalTo("invalid-record"));
  }

  @Test
  void mergesTheAuditStagesOfOneRequest() {
    String id = Events.newId();
    ObjectNode received =
        Events.tree(Events.load("secret-create.json", id).replace("STAGE", "RequestReceived"));
    received.remove("responseStatus");
    String list =
        "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
            + received
            + ","
            + Events.load("secret-create.json", id).replace("STAGE", "ResponseComplete")
            + "]}";
    given()
        .contentType(ContentType.JSON)
        .body(list)
        .post("/v1/evaluate")
        .then()
        .statusCode(200)
        .body("results", hasSize(1))
        .body("results[0].source", equalTo("k8s-audit"))
        .body("results[0].outcome.stage", equalTo("ResponseComplete"))
        .body("results[0].outcome.responseCode", equalTo(201))
        .body("results[0].target.namespace", equalTo("payments"))
        .body("results[0].target.name", equalTo("db-password"));
  }

  @Test
  void neverEchoesSecretValues() {
    String body =
        given()
            .contentType(ContentType.JSON)
            .body(
                Events.load("secret-create.json", Events.newId())
                    .replace("STAGE", "ResponseComplete"))
            .post("/v1/evaluate")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(body).doesNotContain("aHVudGVyMi1TRUNSRVQtVkFMVUU=").doesNotContain("plain-SECRET");
  }

  @Test
  void rejectsInputThatIsNotJsonWithA400NamingTheProblem() {
    given()
        .contentType(ContentType.TEXT)
        .body("definitely { not json")
        .post("/v1/evaluate")
        .then()
        .statusCode(400)
        .contentType(ContentType.JSON)
        .body("error", equalTo("not-json"))
        .body("message", containsString("not JSON"));
  }

  @Test
  void rejectsJsonThatIsNoSupportedEvent() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"hello\":\"world\"}")
        .post("/v1/evaluate")
        .then()
        .statusCode(400)
        .body("error", equalTo("unsupported-shape"))
        .body("message", containsString("hello"));
  }

  @Test
  void rejectsAnEmptyBodyAndABatchWithoutEvents() {
    given()
        .contentType(ContentType.JSON)
        .post("/v1/evaluate")
        .then()
        .statusCode(400)
        .body("error", equalTo("empty"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"Records\":[1,2]}")
        .post("/v1/evaluate")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid-record"))
        .body("details.rejected", hasSize(2));
  }

  @Test
  void publishesNothing() throws Exception {
    String id = Events.newId();
    given()
        .contentType(ContentType.JSON)
        .body(Events.load("stop-logging.json", id))
        .post("/v1/evaluate")
        .then()
        .statusCode(200);
    try (TopicWatcher decisions =
        new TopicWatcher(KafkaBrokerResource.broker().bootstrapServers(), "portcullis.decisions")) {
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> decisions.withKey(id).isEmpty());
    }
  }
}
