package dev.portcullis.alert;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.event.Target;
import dev.portcullis.ops.MonitoredMetrics;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alerting end to end through real parts: CloudTrail events (or decision records) into a real Kafka
 * broker, the stream, the alert router and delivery, out to a real Alertmanager, a fake PagerDuty,
 * fake Slack webhooks and a CloudEvents receiver. Each test uses its own trail, so its problem has
 * its own dedup key whatever the other tests sent.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(
    value = AlertReceiversResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class AlertingTest {

  static final Logger LOG = Logger.getLogger(AlertingTest.class);
  static final String CLOUDTRAIL = "portcullis.cloudtrail";
  static final String DECISIONS = "portcullis.decisions";
  static final String ALERTS = "portcullis.alerts";
  static final Duration WAIT = Duration.ofSeconds(30);

  @Inject AlertPublisher publisher;

  static Producer producer;
  static TopicWatcher pending;
  static TopicWatcher deadLetters;

  static FakePagerDuty pagerDuty;
  static FakeSlack slack;
  static FakeSlack criticalSlack;
  static CloudEventsReceiver webhook;
  static RealAlertmanager alertmanager;

  @BeforeAll
  static void watch() {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    producer = new Producer(bootstrap);
    pending = new TopicWatcher(bootstrap, ALERTS);
    deadLetters = new TopicWatcher(bootstrap, "portcullis.dead-letter");
    pagerDuty = AlertReceiversResource.pagerDuty;
    slack = AlertReceiversResource.slack;
    criticalSlack = AlertReceiversResource.criticalSlack;
    webhook = AlertReceiversResource.webhook;
    alertmanager = AlertReceiversResource.alertmanager;
  }

  @AfterAll
  static void close() throws Exception {
    producer.close();
    pending.close();
    deadLetters.close();
  }

  // --- helpers

  static String trail() {
    return "trail-" + Events.newId().substring(0, 8);
  }

  /** Sends a real CloudTrail StopLogging record for a trail; returns its event id. */
  static String stopLogging(String trail) {
    return stopLogging(trail, null);
  }

  static String stopLogging(String trail, Instant at) {
    String id = Events.newId();
    String event =
        Events.load("stop-logging.json", id).replace("trail/org-trail", "trail/" + trail);
    if (at != null) {
      event = event.replace("2026-11-20T09:14:02Z", at.toString());
    }
    producer.send(CLOUDTRAIL, event);
    return id;
  }

  /** The dedup key the router gave the decision about this event. */
  static String keyOf(String eventId) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                !pending.matching(r -> r.value() != null && r.value().contains(eventId)).isEmpty());
    return pending.matching(r -> r.value() != null && r.value().contains(eventId)).get(0).key();
  }

  static Optional<JsonNode> listed(String key, boolean all) {
    JsonNode list =
        Events.read(
            given()
                .queryParam("all", all)
                .get("/v1/alerts")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    for (JsonNode e : list) {
      if (key.equals(e.path("dedupKey").asText())) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  static long count(String key) {
    return listed(key, true).map(e -> e.path("count").asLong()).orElse(0L);
  }

  static void awaitPaged(String key) {
    await().atMost(WAIT).until(() -> pagerDuty.events(key, "trigger").size() == 1);
    await().atMost(WAIT).until(() -> alertmanager.alerts(key).size() == 1);
    await().atMost(WAIT).until(() -> webhook.withDedupKey(key, WebhookSink.TRIGGERED).size() == 1);
    await()
        .atMost(WAIT)
        .until(() -> listed(key, false).map(e -> e.path("owed").isEmpty()).orElse(false));
  }

  /** A decision record as the stream writes it, with one decision. */
  static ObjectNode decisionRecord(String trail, String action, String severity) {
    ObjectNode r = Events.JSON.createObjectNode();
    r.put("eventId", Events.newId());
    r.put("source", "cloudtrail");
    r.put("eventTime", "2026-11-20T09:14:02Z");
    r.putObject("actor").put("principal", "arn:aws:iam::111122223333:user/bob").put("name", "bob");
    r.put("action", "DeleteTrail");
    r.put("service", "cloudtrail.amazonaws.com");
    r.putObject("target")
        .put("type", "AWS::CloudTrail::Trail")
        .put("account", "111122223333")
        .put("name", trail);
    r.putArray("decisions")
        .addObject()
        .put("policy", "cloudtrail-stopped")
        .put("action", action)
        .put("verdict", action)
        .put("severity", severity)
        .put("summary", "bob deleted trail " + trail)
        .put("title", "CloudTrail logging stopped or a trail deleted")
        .put("runbook", "https://example.com/runbooks#cloudtrail-stopped");
    return r;
  }

  static void sendDecision(String key, ObjectNode record) {
    producer.send(DECISIONS, key, record.toString().getBytes(StandardCharsets.UTF_8));
  }

  // --- the "Done when"

  /**
   * With sinks configured, what deploy/monitoring queries about delivery (deliveries per outcome,
   * circuit state, backlog) is exported per sink from start-up, before any delivery.
   */
  @Test
  void exportsTheSinkMetricsTheMonitoringQueries() {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    MonitoredMetrics.assertExported(metrics, MonitoredMetrics.Feature.ALERT_SINKS.metrics);
    assertThat(metrics)
        .containsPattern(
            "portcullis_alert_deliveries_total\\{[^}]*outcome=\"gave-up\"[^}]*sink=\"alertmanager\"");
  }

  @Test
  void aStoppedTrailShowsUpInTheRealAlertmanagerWithPolicySeveritySummaryAndRunbook() {
    String trail = trail();
    long start = System.nanoTime();
    String id = stopLogging(trail);
    String key = keyOf(id);

    await().atMost(Duration.ofSeconds(15)).until(() -> alertmanager.alerts(key).size() == 1);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    LOG.infof("CloudTrail event to Alertmanager alert: %d ms", took.toMillis());

    JsonNode alert = alertmanager.alerts(key).get(0);
    assertThat(alert.at("/labels/alertname").asText()).isEqualTo("cloudtrail-stopped");
    assertThat(alert.at("/labels/policy").asText()).isEqualTo("cloudtrail-stopped");
    assertThat(alert.at("/labels/severity").asText()).isEqualTo("high");
    assertThat(alert.at("/labels/owner").asText()).isEqualTo("platform-security");
    assertThat(alert.at("/labels/target_account").asText()).isEqualTo("111122223333");
    assertThat(alert.at("/labels/cluster").asText()).isEqualTo("portcullis-test");
    assertThat(alert.at("/annotations/summary").asText())
        .contains("ops-alice", "StopLogging", "trail/" + trail, "111122223333");
    assertThat(alert.at("/annotations/runbook_url").asText())
        .isEqualTo(
            "https://github.com/portcullis-dev/portcullis/blob/main/docs/runbooks.md#cloudtrail-stopped");
    assertThat(alert.at("/status/state").asText()).isEqualTo("active");
    // Alertmanager routes it on to its receivers.
    await().atMost(WAIT).until(() -> alertmanager.notified(key, "firing").size() == 1);
  }

  @Test
  void theSeedOutagesLifecycleRuleShowsUpInTheRealAlertmanager() {
    String bucket = "etcd-backups-" + Events.newId().substring(0, 8);
    String id = Events.newId();
    producer.send(CLOUDTRAIL, Events.load("outage-lifecycle.json", id).replace("BUCKET", bucket));
    String key = keyOf(id);

    await().atMost(Duration.ofSeconds(15)).until(() -> alertmanager.alerts(key).size() == 1);
    JsonNode alert = alertmanager.alerts(key).get(0);
    assertThat(alert.at("/labels/alertname").asText()).isEqualTo("etcd-control-files");
    assertThat(alert.at("/labels/policy").asText()).isEqualTo("etcd-control-files");
    assertThat(alert.at("/labels/severity").asText()).isIn("critical", "high");
    assertThat(alert.at("/annotations/summary").asText())
        .contains("expire-old-backups", "backups/etcd/", "etcd-cluster-created", "30 days", bucket);
    assertThat(alert.at("/annotations/runbook_url").asText())
        .endsWith("docs/runbooks.md#etcd-control-files");
  }

  @Test
  void aDecisionThatSaysItsConditionClearedResolvesTheOpenProblem() {
    String trail = trail();
    String recordKey = "cleared-" + Events.newId();
    sendDecision(recordKey, decisionRecord(trail, "alert", "high"));
    String key =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    pending.matching(r -> r.value() != null && r.value().contains(trail)).stream()
                        .map(TopicWatcher.Record::key)
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    awaitPaged(key);

    // What the protected-object guard writes when the object is back: an audit decision about
    // the same policy and target whose details say it is resolved.
    ObjectNode cleared = decisionRecord(trail, "audit", "info");
    ((ObjectNode) cleared.path("decisions").get(0))
        .putObject("details")
        .put("status", "resolved")
        .put("resolves", "the first decision");
    sendDecision(recordKey, cleared);

    await().atMost(WAIT).until(() -> pagerDuty.events(key, "resolve").size() == 1);
    await().atMost(WAIT).until(() -> alertmanager.alerts(key).isEmpty());
    await().atMost(WAIT).until(() -> listed(key, false).isEmpty());
  }

  @Test
  void twentyRepeatsOfTheSameProblemGiveOnePage() {
    String trail = trail();
    String key = keyOf(stopLogging(trail));
    for (int i = 1; i < 20; i++) {
      stopLogging(trail);
    }

    await().atMost(WAIT).until(() -> count(key) == 20);
    awaitPaged(key);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                pagerDuty.events(key, "trigger").size() == 1
                    && slack.mentioning(trail).size() == 1
                    && webhook.withDedupKey(key, WebhookSink.TRIGGERED).size() == 1
                    && alertmanager.alerts(key).size() == 1);
    assertThat(pagerDuty.incidents(key)).isEqualTo(1);
    assertThat(alertmanager.notified(key, "firing")).hasSize(1);
    JsonNode listed = listed(key, false).orElseThrow();
    assertThat(listed.path("count").asLong()).isEqualTo(20);
    assertThat(listed.path("sinks").toString())
        .contains("pagerduty", "alertmanager", "slack", "webhook");
    assertThat(pending.withKey(key)).hasSize(20); // every repeat is on record, none paged
  }

  @Test
  void anOutageOfPagerDutyLosesNothingPagesOnceWhenBackAndHoldsUpNoOtherSink() {
    List<String> trails = List.of(trail(), trail(), trail());
    pagerDuty.stop();
    try {
      List<String> keys = trails.stream().map(t -> keyOf(stopLogging(t))).toList();

      // Slack does not wait for PagerDuty.
      for (String t : trails) {
        await().atMost(WAIT).until(() -> slack.mentioning(t).size() == 1);
      }
      // The outage is visible: readiness, the sinks API, metrics, the owed deliveries.
      await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 503);
      Response ready = given().get("/q/health/ready");
      assertThat(ready.jsonPath().getString("checks.find { it.name == 'alerting' }.status"))
          .isEqualTo("DOWN");
      assertThat(ready.jsonPath().getString("checks.find { it.name == 'alerting' }.data.pagerduty"))
          .startsWith("failing")
          .contains("no answer")
          .doesNotContain(pagerDuty.url())
          .doesNotContain(AlertReceiversResource.ROUTING_KEY);
      assertThat(ready.jsonPath().getString("checks.find { it.name == 'alerting' }.data.slack"))
          .startsWith("ok");
      String metrics = given().get("/q/metrics").asString();
      assertThat(metrics)
          .containsPattern(
              "portcullis_alert_deliveries_total\\{kind=\"trigger\",outcome=\"failed\",sink=\"pagerduty\"\\} [1-9]")
          .containsPattern("portcullis_alert_circuit_open\\{sink=\"pagerduty\"\\} 1\\.0")
          .containsPattern("portcullis_alert_backlog\\{sink=\"pagerduty\"\\} [3-9]");
      for (String k : keys) {
        assertThat(listed(k, false).orElseThrow().path("owed").toString()).contains("pagerduty");
        assertThat(pagerDuty.events(k, "trigger")).isEmpty();
      }

      pagerDuty.start();

      for (String k : keys) {
        await().atMost(WAIT).until(() -> pagerDuty.events(k, "trigger").size() == 1);
      }
      await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .until(() -> keys.stream().allMatch(k -> pagerDuty.events(k, "trigger").size() == 1));
      for (String k : keys) {
        await()
            .atMost(WAIT)
            .until(() -> listed(k, false).map(e -> e.path("owed").isEmpty()).orElse(false));
        assertThat(slack.mentioning(trails.get(keys.indexOf(k)))).hasSize(1);
      }
    } finally {
      pagerDuty.start();
    }
  }

  @Test
  void aRealAlertmanagerOutageLosesNothing() {
    String trail = trail();
    alertmanager.stop();
    String key;
    try {
      key = keyOf(stopLogging(trail));
      await().atMost(WAIT).until(() -> pagerDuty.events(key, "trigger").size() == 1);
      assertThat(listed(key, false).orElseThrow().path("owed").toString()).contains("alertmanager");
    } finally {
      alertmanager.start();
    }
    await().atMost(WAIT).until(() -> alertmanager.alerts(key).size() == 1);
    await()
        .atMost(WAIT)
        .until(() -> listed(key, false).map(e -> e.path("owed").isEmpty()).orElse(false));
  }

  @Test
  void aSlackRateLimitIsWaitedOut() {
    String trail = trail();
    slack.rateLimitNext(2);
    String key = keyOf(stopLogging(trail));
    await().atMost(WAIT).until(() -> slack.mentioning(trail).size() == 1);
    await()
        .atMost(WAIT)
        .until(() -> listed(key, false).map(e -> e.path("owed").isEmpty()).orElse(false));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> slack.mentioning(trail).size() == 1);
  }

  // --- resolve

  @Test
  void resolvingThroughTheApiTellsEverySinkThatWasPagedAndALaterProblemPagesAgain() {
    String trail = trail();
    String key = keyOf(stopLogging(trail));
    awaitPaged(key);

    Response r =
        given()
            .contentType("application/json")
            .body("{\"reason\":\"the trail logs again\"}")
            .post("/v1/alerts/" + key + "/resolve");
    assertThat(r.statusCode()).isEqualTo(202);

    await().atMost(WAIT).until(() -> pagerDuty.events(key, "resolve").size() == 1);
    assertThat(pagerDuty.status(key)).isEqualTo(FakePagerDuty.Status.RESOLVED);
    await().atMost(WAIT).until(() -> alertmanager.alerts(key).isEmpty());
    await().atMost(WAIT).until(() -> alertmanager.notified(key, "resolved").size() == 1);
    await().atMost(WAIT).until(() -> webhook.withDedupKey(key, WebhookSink.RESOLVED).size() == 1);
    await()
        .atMost(WAIT)
        .until(
            () ->
                slack.mentioning(trail).stream()
                    .anyMatch(m -> m.path("text").asText().startsWith("Resolved")));
    assertThat(webhook.withDedupKey(key, WebhookSink.RESOLVED).get(0).at("/data/reason").asText())
        .isEqualTo("the trail logs again");
    await().atMost(WAIT).until(() -> listed(key, false).isEmpty());
    assertThat(listed(key, true).orElseThrow().path("status").asText()).isEqualTo("resolved");
    assertThat(given().post("/v1/alerts/" + key + "/resolve").statusCode()).isEqualTo(404);

    // The same old event arriving late does not reopen it; the problem happening again does.
    String late = stopLogging(trail);
    await().atMost(WAIT).until(() -> !pending.matching(x -> x.value().contains(late)).isEmpty());
    String again = stopLogging(trail, Instant.now().plusSeconds(5));
    await().atMost(WAIT).until(() -> pagerDuty.events(key, "trigger").size() == 2);
    assertThat(pagerDuty.incidents(key)).isEqualTo(2);
    assertThat(listed(key, false).orElseThrow().path("count").asLong()).isEqualTo(1);
    assertThat(again).isNotEqualTo(late);
  }

  @Test
  void aResolveWrittenToThePendingAlertsTopicResolves() {
    String trail = trail();
    String key = keyOf(stopLogging(trail));
    awaitPaged(key);

    producer.send(
        ALERTS,
        key,
        ("{\"kind\":\"resolve\",\"dedupKey\":\""
                + key
                + "\",\"reason\":\"guard saw the trail logging\"}")
            .getBytes(StandardCharsets.UTF_8));

    await().atMost(WAIT).until(() -> pagerDuty.events(key, "resolve").size() == 1);
    await().atMost(WAIT).until(() -> alertmanager.alerts(key).isEmpty());
  }

  // --- routing

  @Test
  void auditDecisionsNeverAlertAndRoutesChooseSinksBySeverity() {
    String recordKey = "route-" + Events.newId();
    String audited = trail();
    String critical = trail();
    sendDecision(recordKey, decisionRecord(audited, "audit", "critical"));
    ObjectNode crit = decisionRecord(critical, "block", "critical");
    sendDecision(recordKey, crit);

    await().atMost(WAIT).until(() -> criticalSlack.mentioning(critical).size() == 1);
    await().atMost(WAIT).until(() -> slack.mentioning(critical).size() == 1);
    // Same record key, same partition: the audit decision was handled before the block one.
    assertThat(pending.matching(r -> r.value().contains(audited))).isEmpty();
    assertThat(criticalSlack.mentioning("block: Portcullis stops this change")).isNotEmpty();

    String high = trail();
    String key = keyOf(stopLogging(high));
    awaitPaged(key);
    await().atMost(WAIT).until(() -> slack.mentioning(high).size() == 1);
    assertThat(criticalSlack.mentioning(high)).isEmpty();
  }

  // --- nothing secret, nothing silent

  @Test
  void onlyTheDecisionsWordsReachSinksNeverRawEventFields() {
    String trail = trail();
    ObjectNode record = decisionRecord(trail, "alert", "high");
    record.putObject("raw").put("SecretString", "hunter2-SECRET-VALUE");
    record.putObject("outcome").put("errorMessage", "hunter2-SECRET-VALUE");
    sendDecision("secret-" + Events.newId(), record);

    await().atMost(WAIT).until(() -> slack.mentioning(trail).size() == 1);
    String key = pending.matching(r -> r.value().contains(trail)).get(0).key();
    awaitPaged(key);
    List<String> seen =
        List.of(
            pending.withKey(key).toString(),
            pagerDuty.events(key, "trigger").toString(),
            slack.mentioning(trail).toString(),
            webhook.withDedupKey(key, WebhookSink.TRIGGERED).toString(),
            alertmanager.alerts(key).toString(),
            given().get("/v1/alerts?all=true").asString());
    for (String s : seen) {
      assertThat(s).contains(trail).doesNotContain("hunter2");
    }
  }

  @Test
  void anUnreadablePendingAlertIsDeadLetteredAndTheNextOneStillPages() {
    String badKey = "bad-" + Events.newId();
    producer.send(ALERTS, badKey, "this is not an alert".getBytes(StandardCharsets.UTF_8));
    String trail = trail();
    String key = keyOf(stopLogging(trail));

    await().atMost(WAIT).until(() -> !deadLetters.withKey(badKey).isEmpty());
    TopicWatcher.Record dead = deadLetters.withKey(badKey).get(0);
    assertThat(dead.value()).isEqualTo("this is not an alert");
    assertThat(dead.headers()).containsEntry("dead-letter-code", AlertDeadLetters.INVALID_ALERT);
    awaitPaged(key);
    assertThat(given().get("/q/metrics").asString())
        .containsPattern("portcullis_alert_invalid_total\\{reason=\"alert-invalid\"\\} [1-9]");
  }

  @Test
  void aDecisionRecordThatIsNotJsonIsDeadLetteredAndRoutingGoesOn() {
    String badKey = "bad-decision-" + Events.newId();
    producer.send(DECISIONS, badKey, "{truncated".getBytes(StandardCharsets.UTF_8));
    String trail = trail();
    ObjectNode next = decisionRecord(trail, "alert", "high");
    producer.send(DECISIONS, badKey, next.toString().getBytes(StandardCharsets.UTF_8));

    await().atMost(WAIT).until(() -> !deadLetters.withKey(badKey).isEmpty());
    assertThat(deadLetters.withKey(badKey).get(0).headers())
        .containsEntry("dead-letter-code", AlertDeadLetters.INVALID_DECISION);
    await().atMost(WAIT).until(() -> slack.mentioning(trail).size() == 1);
  }

  @Test
  void aGuardResolvesThroughTheJavaHookWithThePolicyAndTarget() throws Exception {
    String trail = trail();
    String key = keyOf(stopLogging(trail));
    awaitPaged(key);
    JsonNode t = Events.read(pending.withKey(key).get(0).value()).path("target");
    Target target =
        Target.builder()
            .account(t.path("account").asText(null))
            .region(t.path("region").asText(null))
            .name(t.path("name").asText(null))
            .type(t.path("type").asText(null))
            .arn(t.path("arn").asText(null))
            .build();

    publisher
        .resolve("cloudtrail-stopped", target, "guard sees the trail logging", null)
        .get(30, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> pagerDuty.events(key, "resolve").size() == 1);
    assertThat(listed(key, true).orElseThrow().path("resolveReason").asText())
        .isEqualTo("guard sees the trail logging");
  }

  @Test
  void metricsCountPagesRepeatsAndDeliveriesPerSink() {
    String trail = trail();
    String key = keyOf(stopLogging(trail));
    stopLogging(trail);
    await().atMost(WAIT).until(() -> count(key) == 2);
    awaitPaged(key);

    String metrics = given().get("/q/metrics").asString();
    assertThat(metrics)
        .containsPattern("portcullis_alert_dedup_total\\{outcome=\"page\"\\} [1-9]")
        .containsPattern("portcullis_alert_dedup_total\\{outcome=\"repeat\"\\} [1-9]")
        .containsPattern(
            "portcullis_alerts_routed_total\\{kind=\"trigger\",policy=\"cloudtrail-stopped\"\\} [1-9]");
    for (String sink : List.of("pagerduty", "alertmanager", "slack", "webhook")) {
      assertThat(metrics)
          .containsPattern(
              "portcullis_alert_deliveries_total\\{kind=\"trigger\",outcome=\"delivered\",sink=\""
                  + sink
                  + "\"\\} [1-9]");
      assertThat(metrics)
          .contains("portcullis_alert_delivery_latency_seconds_count{sink=\"" + sink + "\"}");
    }
    assertThat(metrics).doesNotContain(trail);
  }
}
