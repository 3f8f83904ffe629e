package dev.portcullis.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.TestCertificates;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP intakes over HTTPS, as the API server's audit webhook backend and an EventBridge API
 * destination call them: the exact bytes an API server sends (a batch of mixed stages, a Secret
 * with its data), with and without gzip, and every refusal with its status, field and dead letter.
 * Records are read back from the real broker; decisions come from the real stream.
 */
@QuarkusTest
@TestProfile(HttpIntakeTest.Profile.class)
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class HttpIntakeTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final String TOKEN = "audit-webhook-test-token";
  static final String API_KEY = "eventbridge-test-key";
  static final String FIREHOSE_KEY = "firehose-test-key";
  static final String SECRET_DATA = "aHVudGVyMi1ub3QtZm9yLWxvZ3M=";
  static final int MAX_BYTES = 64 * 1024;
  static final ObjectMapper JSON = new ObjectMapper();

  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "portcullis.intake.k8s-audit.token",
          TOKEN,
          "portcullis.intake.k8s-audit.max-bytes",
          String.valueOf(MAX_BYTES),
          "portcullis.intake.eventbridge.api-key",
          API_KEY,
          "portcullis.intake.firehose.access-key",
          FIREHOSE_KEY,
          "quarkus.tls.key-store.pem.0.cert",
          TestCertificates.cert().toString(),
          "quarkus.tls.key-store.pem.0.key",
          TestCertificates.key().toString(),
          "quarkus.http.test-ssl-port",
          "0");
    }
  }

  @TestHTTPResource(value = "/k8s/audit", tls = true)
  URL audit;

  @TestHTTPResource(value = "/k8s/audit")
  URL auditPlain;

  @TestHTTPResource(value = "/aws/eventbridge", tls = true)
  URL eventbridge;

  @TestHTTPResource(value = "/aws/firehose", tls = true)
  URL firehose;

  static final HttpClient HTTPS = TestCertificates.client();
  static TopicWatcher auditTopic;
  static TopicWatcher cloudtrailTopic;
  static TopicWatcher decisions;
  static TopicWatcher deadLetters;

  @BeforeAll
  static void watch() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    auditTopic = new TopicWatcher(bootstrap, "portcullis.k8s-audit");
    cloudtrailTopic = new TopicWatcher(bootstrap, "portcullis.cloudtrail");
    decisions = new TopicWatcher(bootstrap, "portcullis.decisions");
    deadLetters = new TopicWatcher(bootstrap, "portcullis.dead-letter");
  }

  @AfterAll
  static void close() throws Exception {
    auditTopic.close();
    cloudtrailTopic.close();
    decisions.close();
    deadLetters.close();
  }

  /** The API server's batch with fresh audit ids. */
  record Batch(String body, String secret, String pods, String watch) {
    static Batch fresh() {
      String secret = UUID.randomUUID().toString();
      String pods = UUID.randomUUID().toString();
      String watch = UUID.randomUUID().toString();
      String body =
          resource("intake/apiserver-eventlist.json")
              .replace("${SECRET}", secret)
              .replace("${PODS}", pods)
              .replace("${WATCH}", watch);
      return new Batch(body, secret, pods, watch);
    }
  }

  @Test
  void theApiServersBatchIsTakenOnceKafkaHasItAndEveryRequestIsDecided() throws Exception {
    Batch b = Batch.fresh();
    HttpResponse<String> r = post(audit, b.body().getBytes(StandardCharsets.UTF_8), bearer(TOKEN));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("accepted").asInt()).isEqualTo(4);
    // Answered only after Kafka acknowledged: the records are there (committed, not in flight).
    await().atMost(WAIT).untilAsserted(() -> assertThat(auditTopic.withKey(b.secret())).hasSize(2));
    assertThat(auditTopic.withKey(b.pods())).hasSize(1);
    assertThat(auditTopic.withKey(b.watch())).hasSize(1);
    for (TopicWatcher.Record rec : auditTopic.withKey(b.secret())) {
      assertThat(rec.value()).doesNotContain(SECRET_DATA).contains("\"auditID\":\"" + b.secret());
    }

    // The stream decides each request once: the two stages of the Secret's creation are one.
    JsonNode secret = decision(b.secret());
    assertThat(secret.path("decisions").get(0).path("policy").asText())
        .isEqualTo("untracked-secret");
    assertThat(secret.toString()).doesNotContain(SECRET_DATA);
    assertThat(decision(b.pods()).path("decisions")).isEmpty();
    decision(b.watch());
    assertThat(decisions.withKey(b.secret())).hasSize(1);
  }

  @Test
  void aGzipBatchIsTakenLikeAPlainOne() throws Exception {
    Batch b = Batch.fresh();
    HttpResponse<String> r = post(audit, gzip(b.body()), bearer(TOKEN), "Content-Encoding", "gzip");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("accepted").asInt()).isEqualTo(4);
    decision(b.pods());
  }

  @Test
  void withoutTheTokenOrOverPlainHttpNothingIsTaken() throws Exception {
    Batch b = Batch.fresh();
    HttpResponse<String> none = post(audit, b.body().getBytes(StandardCharsets.UTF_8));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains("portcullis.intake.k8s-audit.token");
    HttpResponse<String> wrong =
        post(audit, b.body().getBytes(StandardCharsets.UTF_8), bearer("not-" + TOKEN));
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> plain =
        post(auditPlain, b.body().getBytes(StandardCharsets.UTF_8), bearer(TOKEN));
    assertThat(plain.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(plain.body()).path("error").asText()).isEqualTo("https-required");

    Batch marker = Batch.fresh();
    assertThat(
            post(audit, marker.body().getBytes(StandardCharsets.UTF_8), bearer(TOKEN)).statusCode())
        .isEqualTo(200);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(auditTopic.withKey(marker.pods())).hasSize(1));
    assertThat(auditTopic.withKey(b.pods())).isEmpty();
  }

  @Test
  void anEventThatIsNotWhatItsFormatSaysIsRefusedByFieldAndTheOthersAreTaken() throws Exception {
    Batch b = Batch.fresh();
    ObjectNode list = (ObjectNode) JSON.readTree(b.body());
    ((ObjectNode) list.path("items").get(2)).put("verb", 42);
    ((ObjectNode) list.path("items").get(3)).remove("auditID");

    HttpResponse<String> r = post(audit, JSON.writeValueAsBytes(list), bearer(TOKEN));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode error = JSON.readTree(r.body());
    assertThat(error.path("error").asText()).isEqualTo("wrong-type");
    assertThat(error.path("message").asText()).contains("items[2]").contains("\"verb\"");
    assertThat(error.path("details").path("accepted").asInt()).isEqualTo(2);
    assertThat(error.path("details").path("refused").findValuesAsText("field"))
        .containsExactly("verb", "auditID");
    // The two good stages are taken and decided; the refused ones are dead letters, field named.
    decision(b.secret());
    List<TopicWatcher.Record> dead = awaitDeadLetters(b.pods(), 1);
    assertThat(dead.get(0).headers())
        .containsEntry("dead-letter-field", "verb")
        .containsEntry("dead-letter-code", "wrong-type")
        .containsEntry("dead-letter-location", "items[2]")
        .containsEntry("dead-letter-intake", "k8s-audit-webhook");
    List<TopicWatcher.Record> noId =
        awaitDeadLetters("allowWatchBookmarks=true", 1).stream()
            .filter(d -> "auditID".equals(d.headers().get("dead-letter-field")))
            .toList();
    assertThat(noId).isNotEmpty();
    assertThat(auditTopic.withKey(b.pods())).isEmpty();
  }

  @Test
  void aBatchWhoseListIsNoListOrThatIsNoJsonIsRefusedWhole() throws Exception {
    String marker = UUID.randomUUID().toString();
    String notAList =
        "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},"
            + "\"items\":{\"auditID\":\""
            + marker
            + "\"}}";
    HttpResponse<String> r = post(audit, notAList.getBytes(StandardCharsets.UTF_8), bearer(TOKEN));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(r.body());
    assertThat(error.path("error").asText()).isEqualTo("wrong-type");
    assertThat(error.path("details").path("field").asText()).isEqualTo("items");
    assertThat(awaitDeadLetters(marker, 1).get(0).headers())
        .containsEntry("dead-letter-field", "items");

    String broken = "{\"kind\":\"EventList\",\"items\":[{\"auditID\":\"" + marker + "-x\"";
    HttpResponse<String> notJson =
        post(audit, broken.getBytes(StandardCharsets.UTF_8), bearer(TOKEN));
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).path("error").asText()).isEqualTo("not-json");
    awaitDeadLetters(marker + "-x", 1);

    byte[] big = new byte[MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    HttpResponse<String> tooLarge = post(audit, big, bearer(TOKEN));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(tooLarge.body()).path("error").asText()).isEqualTo("too-large");
  }

  @Test
  void eventBridgeDeliversACloudTrailRecordWithItsApiKey() throws Exception {
    String id = UUID.randomUUID().toString();
    String envelope = resource("intake/eventbridge-stop-logging.json").replace("${ID}", id);

    assertThat(post(eventbridge, envelope.getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(401);
    assertThat(
            post(eventbridge, envelope.getBytes(StandardCharsets.UTF_8), "x-api-key", "wrong")
                .statusCode())
        .isEqualTo(401);
    HttpResponse<String> r =
        post(eventbridge, envelope.getBytes(StandardCharsets.UTF_8), "x-api-key", API_KEY);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    await().atMost(WAIT).untilAsserted(() -> assertThat(cloudtrailTopic.withKey(id)).hasSize(1));
    JsonNode d = decision(id);
    assertThat(d.path("decisions").get(0).path("policy").asText()).isEqualTo("cloudtrail-stopped");
    assertThat(d.path("decisions").get(0).path("action").asText()).isEqualTo("alert");
  }

  @Test
  void eventBridgeRefusesADetailWithoutWhatCloudTrailAlwaysWrites() throws Exception {
    String id = UUID.randomUUID().toString();
    ObjectNode envelope =
        (ObjectNode)
            JSON.readTree(resource("intake/eventbridge-stop-logging.json").replace("${ID}", id));
    ((ObjectNode) envelope.path("detail")).remove("userIdentity");

    HttpResponse<String> r =
        post(eventbridge, JSON.writeValueAsBytes(envelope), "x-api-key", API_KEY);

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(r.body());
    assertThat(error.path("error").asText()).isEqualTo("missing-field");
    assertThat(error.path("details").path("field").asText()).isEqualTo("detail.userIdentity");
    assertThat(awaitDeadLetters(id, 1).get(0).headers())
        .containsEntry("dead-letter-field", "detail.userIdentity")
        .containsEntry("dead-letter-intake", "eventbridge");
    assertThat(cloudtrailTopic.withKey(id)).isEmpty();
  }

  /**
   * EKS's path: its audit events in CloudWatch Logs, a subscription filter to Firehose, Firehose's
   * HTTP endpoint request (each record base64 of a gzip subscription payload) to Portcullis.
   */
  @Test
  void eksAuditEventsArriveThroughFirehoseAndABadOneIsADeadLetterNotARetry() throws Exception {
    Batch b = Batch.fresh();
    JsonNode items = JSON.readTree(b.body()).path("items");
    ObjectNode bad = items.get(2).deepCopy();
    String badId = UUID.randomUUID().toString();
    bad.put("auditID", badId).put("stage", 7);
    ObjectNode payload = JSON.createObjectNode();
    payload.put("messageType", "DATA_MESSAGE");
    payload.put("owner", "111122223333");
    payload.put("logGroup", "/aws/eks/prod/cluster");
    payload.put("logStream", "kube-apiserver-audit-0a1b2c3d4e5f");
    payload.putArray("subscriptionFilters").add("portcullis");
    var logEvents = payload.putArray("logEvents");
    for (JsonNode e : List.of(items.get(1), items.get(2), bad)) {
      logEvents
          .addObject()
          .put("id", UUID.randomUUID().toString())
          .put("timestamp", 1733133600000L)
          .put("message", JSON.writeValueAsString(e));
    }
    ObjectNode control = JSON.createObjectNode();
    control.put("messageType", "CONTROL_MESSAGE");
    control
        .putArray("logEvents")
        .addObject()
        .put("message", "CWL CONTROL MESSAGE: Checking health");
    String requestId = UUID.randomUUID().toString();
    ObjectNode request = JSON.createObjectNode();
    request.put("requestId", requestId).put("timestamp", System.currentTimeMillis());
    request
        .putArray("records")
        .add(JSON.createObjectNode().put("data", base64Gzip(payload)))
        .add(JSON.createObjectNode().put("data", base64Gzip(control)));
    byte[] body = JSON.writeValueAsBytes(request);

    HttpResponse<String> wrong =
        post(
            firehose,
            body,
            "X-Amz-Firehose-Access-Key",
            "wrong",
            "X-Amz-Firehose-Request-Id",
            requestId);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(wrong.body()).path("requestId").asText()).isEqualTo(requestId);

    HttpResponse<String> r =
        post(
            firehose,
            body,
            "X-Amz-Firehose-Access-Key",
            FIREHOSE_KEY,
            "X-Amz-Firehose-Request-Id",
            requestId);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(r.body());
    assertThat(answer.path("requestId").asText()).isEqualTo(requestId);
    assertThat(answer.path("timestamp").asLong()).isPositive();
    assertThat(answer.has("errorMessage")).isFalse();

    JsonNode secret = decision(b.secret());
    assertThat(secret.path("decisions").get(0).path("policy").asText())
        .isEqualTo("untracked-secret");
    decision(b.pods());
    assertThat(awaitDeadLetters(badId, 1).get(0).headers())
        .containsEntry("dead-letter-field", "stage")
        .containsEntry("dead-letter-location", "records[0].logEvents[2]")
        .containsEntry("dead-letter-intake", "firehose");
    assertThat(auditTopic.withKey(badId)).isEmpty();
  }

  static String base64Gzip(JsonNode n) throws IOException {
    return java.util.Base64.getEncoder().encodeToString(gzip(JSON.writeValueAsString(n)));
  }

  static JsonNode decision(String key) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(decisions.withKey(key)).isNotEmpty());
    try {
      return JSON.readTree(decisions.withKey(key).get(0).value());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<TopicWatcher.Record> awaitDeadLetters(String containing, int atLeast) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(deadLetters.matching(d -> d.value().contains(containing)))
                    .hasSizeGreaterThanOrEqualTo(atLeast));
    List<TopicWatcher.Record> found = deadLetters.matching(d -> d.value().contains(containing));
    for (TopicWatcher.Record d : found) {
      assertThat(d.value()).doesNotContain(SECRET_DATA);
    }
    return found;
  }

  static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }

  static HttpResponse<String> post(URL url, byte[] body, String... headers) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url.toString()))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      for (int i = 0; i + 1 < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      HttpClient client = url.getProtocol().equals("https") ? HTTPS : HttpClient.newHttpClient();
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> post(URL url, byte[] body, String[] auth, String... more) {
    String[] all = new String[auth.length + more.length];
    System.arraycopy(auth, 0, all, 0, auth.length);
    System.arraycopy(more, 0, all, auth.length, more.length);
    return post(url, body, all);
  }

  static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static String resource(String name) {
    try (InputStream in = HttpIntakeTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
