package dev.portcullis.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TempDirs;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A running service on a temporary copy of rules/ (with an operator override and an exception that
 * expires in three days): the effective mode, exceptions by event time on both paths, and reloading
 * a good and a broken change through the API and the file watcher.
 */
@QuarkusTest
@TestProfile(PolicyReloadTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyReloadTest {

  static final Duration WAIT = Duration.ofSeconds(30);

  /** The exception's expiry: three days from the start of the test run, whole seconds. */
  static final Instant EXPIRES =
      Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

  /** A temporary copy of rules/ with one exception, the folder the service runs on. */
  public static class Profile implements QuarkusTestProfile {
    static Path dir;

    static synchronized Path dir() {
      if (dir == null) {
        try {
          dir = TempDirs.create("portcullis-rules");
          Path src = Path.of("rules");
          try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
              Path to = dir.resolve(src.relativize(p).toString());
              if (Files.isDirectory(p)) {
                Files.createDirectories(to);
              } else {
                Files.copy(p, to);
              }
            }
          }
          Files.writeString(
              dir.resolve("exceptions/ops-maintenance.yaml"),
              "policy: cloudtrail-stopped\n"
                  + "match:\n"
                  + "  principal: \"arn:aws:sts::111122223333:assumed-role/Ops/*\"\n"
                  + "reason: Ops moves the organisation trail to the new logging account.\n"
                  + "owner: platform-security\n"
                  + "approvedBy: carol\n"
                  + "expires: "
                  + EXPIRES
                  + "\n");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return dir;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "portcullis.policy.dir", dir().toString(),
          "portcullis.policy.enforcement.\"cloudtrail-stopped\"", "audit",
          // Long enough that an API reload right after a write always comes first.
          "portcullis.policy.watch-quiet-period", "PT3S");
    }
  }

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
    producer.close();
    decisions.close();
  }

  static Path drl() {
    return Profile.dir().resolve("cloudtrail-stopped/policy.drl");
  }

  static String stopLogging(String id, Instant eventTime) {
    return Events.load("stop-logging.json", id)
        .replace("2026-11-20T09:14:02Z", eventTime.toString());
  }

  static double metric(String line) {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    return metrics
        .lines()
        .filter(l -> l.startsWith(line + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(Double.NaN);
  }

  @Test
  @Order(1)
  void showsThePolicysOwnModeAndTheEffectiveOneSetByTheOperator() {
    given()
        .get("/v1/policies")
        .then()
        .statusCode(200)
        .body("origin", equalTo(Profile.dir().toAbsolutePath().normalize().toString()))
        .body("policies[0].id", equalTo("cloudtrail-stopped"))
        .body("policies[0].enforcement", equalTo("alert"))
        .body("policies[0].effectiveEnforcement", equalTo("audit"))
        .body("policies[0].overridden", equalTo(true))
        .body("policies[0].exceptions", equalTo(1));
  }

  @Test
  @Order(2)
  void listsTheExceptionExpiringWithinSevenDaysAndCountsIt() {
    given()
        .get("/v1/exceptions")
        .then()
        .statusCode(200)
        .body("expiring", hasItem("ops-maintenance"))
        .body("exceptions[0].id", equalTo("ops-maintenance"))
        .body("exceptions[0].status", equalTo("expiring"))
        .body("exceptions[0].policy", equalTo("cloudtrail-stopped"))
        .body("exceptions[0].approvedBy", equalTo("carol"))
        .body("exceptions[0].expires", equalTo(EXPIRES.toString()))
        .body("exceptions[0].daysLeft", equalTo(2));
    assertThat(metric("portcullis_policy_exceptions{status=\"expiring\"}")).isEqualTo(1.0);
    assertThat(metric("portcullis_policy_exceptions{status=\"active\"}")).isEqualTo(0.0);
  }

  @Test
  @Order(3)
  void evaluateSuppressesUntilTheExpiryByEventTimeAndRecordsVerdictAndAction() {
    given()
        .contentType(ContentType.JSON)
        .body(stopLogging(Events.newId(), EXPIRES.minusSeconds(3600)))
        .post("/v1/evaluate")
        .then()
        .statusCode(200)
        .body("results[0].decisions[0].policy", equalTo("cloudtrail-stopped"))
        .body("results[0].decisions[0].action", equalTo("suppressed"))
        .body("results[0].decisions[0].verdict", equalTo("alert"))
        .body("results[0].decisions[0].exception", equalTo("ops-maintenance"));
    given()
        .contentType(ContentType.JSON)
        .body(stopLogging(Events.newId(), EXPIRES.plusSeconds(1)))
        .post("/v1/evaluate")
        .then()
        .statusCode(200)
        .body("results[0].decisions[0].action", equalTo("audit"))
        .body("results[0].decisions[0].verdict", equalTo("alert"))
        .body("results[0].decisions[0].exception", nullValue());
  }

  @Test
  @Order(4)
  void theStreamAppliesTheExceptionByEventTimeToo() {
    String before = Events.newId();
    String after = Events.newId();
    producer.send("portcullis.cloudtrail", stopLogging(before, EXPIRES.minusSeconds(60)));
    producer.send("portcullis.cloudtrail", stopLogging(after, EXPIRES));
    await().atMost(WAIT).until(() -> !decisions.withKey(before).isEmpty());
    await().atMost(WAIT).until(() -> !decisions.withKey(after).isEmpty());
    JsonNode b = Events.read(decisions.withKey(before).get(0).value()).path("decisions").get(0);
    assertThat(b.path("action").asText()).isEqualTo("suppressed");
    assertThat(b.path("exception").asText()).isEqualTo("ops-maintenance");
    assertThat(b.path("verdict").asText()).isEqualTo("alert");
    JsonNode a = Events.read(decisions.withKey(after).get(0).value()).path("decisions").get(0);
    assertThat(a.path("action").asText()).isEqualTo("audit");
    assertThat(a.has("exception")).isFalse();
  }

  @Test
  @Order(5)
  void aGoodChangeReloadedThroughTheApiTakesEffect() throws IOException {
    String before = given().get("/v1/policies").then().extract().path("version");
    Path yaml = Profile.dir().resolve("cloudtrail-stopped/policy.yaml");
    Files.writeString(
        yaml,
        Files.readString(yaml)
            .replace(
                "title: CloudTrail logging stopped or a trail deleted",
                "title: CloudTrail trail stopped or deleted"));
    given()
        .post("/v1/policies/reload")
        .then()
        .statusCode(200)
        .body("result", equalTo("loaded"))
        .body("trigger", equalTo("api"))
        .body("version", not(equalTo(before)));
    String after =
        given()
            .get("/v1/policies")
            .then()
            .body("policies[0].title", equalTo("CloudTrail trail stopped or deleted"))
            .body("version", not(equalTo(before)))
            .body("error", nullValue())
            .extract()
            .path("version");
    // The change is on the decisions topic: which version decides from now on, and why.
    await()
        .atMost(WAIT)
        .until(
            () ->
                !decisions
                    .matching(r -> r.key() != null && r.key().startsWith("policy-reload-" + after))
                    .isEmpty());
    JsonNode record =
        Events.read(
            decisions
                .matching(r -> r.key() != null && r.key().startsWith("policy-reload-" + after))
                .get(0)
                .value());
    assertThat(record.path("source").asText()).isEqualTo("portcullis");
    assertThat(record.path("policyVersion").asText()).isEqualTo(after);
    assertThat(record.path("outcome").path("succeeded").asBoolean(false)).isTrue();
    JsonNode d = record.path("decisions").get(0);
    assertThat(d.path("action").asText()).isEqualTo("audit");
    assertThat(d.path("severity").asText()).isEqualTo("info");
    assertThat(d.path("details").path("previousVersion").asText()).isEqualTo(before);
    assertThat(d.path("summary").asText())
        .isEqualTo(
            "The policies changed from version "
                + before
                + " to "
                + after
                + " (changed cloudtrail-stopped), reloaded by api");
  }

  @Test
  @Order(6)
  void aBrokenChangeIsRejectedVisiblyAndThePreviousPoliciesKeepRunning() throws IOException {
    String version = given().get("/v1/policies").then().extract().path("version");
    String good = Files.readString(drl());
    Files.writeString(drl(), good.replace("outcome.effective )", "outcome.effective ) )"));
    given()
        .post("/v1/policies/reload")
        .then()
        .statusCode(422)
        .body("error", equalTo("policies-rejected"))
        .body("details.problems[0]", startsWith("cloudtrail-stopped/policy.drl:9: "));
    given()
        .get("/v1/policies")
        .then()
        .body("version", equalTo(version))
        .body("error.result", equalTo("rejected"))
        .body("error.problems[0]", startsWith("cloudtrail-stopped/policy.drl:9: "));
    assertThat(metric("portcullis_policy_reload_failing")).isEqualTo(1.0);
    assertThat(metric("portcullis_policy_reloads_total{result=\"rejected\",trigger=\"api\"}"))
        .isGreaterThanOrEqualTo(1.0);
    // The old rules still judge events.
    given()
        .contentType(ContentType.JSON)
        .body(stopLogging(Events.newId(), EXPIRES.plusSeconds(60)))
        .post("/v1/evaluate")
        .then()
        .statusCode(200)
        .body("results[0].policyVersion", equalTo(version))
        .body("results[0].decisions[0].action", equalTo("audit"));
    // The failed reload is on the decisions topic as an audit decision.
    await()
        .atMost(WAIT)
        .until(
            () ->
                !decisions
                    .matching(
                        r ->
                            r.key() != null
                                && r.key().startsWith("policy-reload-")
                                && r.value().contains("policy-load-error")
                                && r.value().contains(version))
                    .isEmpty());
    JsonNode record =
        Events.read(
            decisions
                .matching(
                    r ->
                        r.key() != null
                            && r.key().startsWith("policy-reload-")
                            && r.value().contains("policy-load-error")
                            && r.value().contains(version))
                .get(0)
                .value());
    assertThat(record.path("source").asText()).isEqualTo("portcullis");
    assertThat(record.path("action").asText()).isEqualTo("policy-reload");
    assertThat(record.path("policyVersion").asText()).isEqualTo(version);
    assertThat(record.path("outcome").path("succeeded").asBoolean(true)).isFalse();
    JsonNode d = record.path("decisions").get(0);
    assertThat(d.path("action").asText()).isEqualTo("audit");
    assertThat(d.path("details").path("problems").get(0).asText())
        .startsWith("cloudtrail-stopped/policy.drl:9: ");
    // Asking again (the watcher saw the same edit too) gives the same answer, recorded once.
    given().post("/v1/policies/reload").then().statusCode(422);
    String attempted = d.path("details").path("attemptedVersion").asText();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(WAIT)
        .until(
            () ->
                decisions
                        .matching(
                            r ->
                                r.key() != null && r.key().startsWith("policy-reload-" + attempted))
                        .size()
                    == 1);
  }

  @Test
  @Order(7)
  void fixingTheFileIsPickedUpByTheWatcherWithoutARequest() throws IOException {
    String good = Files.readString(drl()).replace("outcome.effective ) )", "outcome.effective )");
    Files.writeString(drl(), good);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                given()
                    .get("/v1/policies")
                    .then()
                    .body("error", nullValue())
                    .body("lastReload.result", equalTo("loaded"))
                    .body("lastReload.trigger", equalTo("file-watcher")));
    assertThat(metric("portcullis_policy_reload_failing")).isEqualTo(0.0);
    // A change to a rule's text shows in decisions at once.
    Files.writeString(drl(), good.replace("changes made from now on", "every later change"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                given()
                    .contentType(ContentType.JSON)
                    .body(stopLogging(Events.newId(), EXPIRES.plusSeconds(60)))
                    .post("/v1/evaluate")
                    .then()
                    .body("results[0].decisions[0].summary", containsString("every later change")));
  }
}
