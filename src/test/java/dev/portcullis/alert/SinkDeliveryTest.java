package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import dev.portcullis.alert.AlertState.Obligation;
import dev.portcullis.alert.PendingAlert.Kind;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each sink's request format, and the worker's retry, circuit breaker, rate-limit and dead-letter
 * behaviour, against the fakes of PagerDuty and Slack, a CloudEvents receiver and a real
 * Alertmanager, over real HTTP. No Kafka, no Quarkus.
 */
class SinkDeliveryTest {

  static final String ROUTING_KEY = "R0UT1NGK3Y0000000000000000000000";
  static final Instant T0 = Instant.parse("2026-11-20T09:14:02Z");
  static final ObjectMapper JSON =
      new ObjectMapper()
          .findAndRegisterModules()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  static final Duration WAIT = Duration.ofSeconds(30);

  static FakePagerDuty pagerDuty;
  static FakeSlack slack;
  static CloudEventsReceiver webhook;
  static RealAlertmanager alertmanager;

  final RecordingEmitter deadLetters = new RecordingEmitter();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AlertMetrics metrics = new AlertMetrics(registry);
  final PartitionGenerations generations = new PartitionGenerations();
  final List<SinkWorker> workers = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void receivers() {
    pagerDuty = (FakePagerDuty) new FakePagerDuty(ROUTING_KEY).start();
    slack = (FakeSlack) new FakeSlack().start();
    webhook = (CloudEventsReceiver) new CloudEventsReceiver().start();
    alertmanager = new RealAlertmanager().start();
  }

  @AfterAll
  static void stopReceivers() {
    pagerDuty.close();
    slack.close();
    webhook.close();
    alertmanager.close();
  }

  @AfterEach
  void stopWorkers() {
    workers.forEach(SinkWorker::close);
    pagerDuty.start();
  }

  // --- settings and helpers

  record Retry(Duration initialBackoff, Duration maxBackoff, int maxAttempts)
      implements AlertConfig.Retry {}

  record Circuit(int failureThreshold, Duration openFor) implements AlertConfig.CircuitBreaker {}

  static HttpAlertSink.Settings settings(String name, int maxAttempts, Duration timeout) {
    return new HttpAlertSink.Settings(
        name,
        SinkRoute.all(),
        timeout,
        Map.of(),
        new Retry(Duration.ofMillis(20), Duration.ofMillis(200), maxAttempts),
        new Circuit(3, Duration.ofMillis(300)),
        0,
        1);
  }

  static HttpAlertSink.Settings settings(String name) {
    return settings(name, 0, Duration.ofSeconds(5));
  }

  PagerDutySink pagerDutySink() {
    return new PagerDutySink(
        settings("pagerduty"), JSON, URI.create(pagerDuty.url()), ROUTING_KEY, null);
  }

  SinkWorker worker(HttpAlertSink sink) {
    SinkWorker w =
        new SinkWorker(
            sink,
            HttpClient.newHttpClient(),
            metrics,
            new AlertDeadLetters(deadLetters),
            JSON,
            generations);
    workers.add(w);
    return w;
  }

  /** A fresh problem's state right after its page. */
  static AlertState paged(PendingAlert a) {
    return Deduplicator.apply(null, a, 0, 0, Duration.ofHours(1), x -> List.of("s"), T0).next();
  }

  static AlertState resolved(AlertState open, String reason) {
    return open.resolved(
        T0.plusSeconds(600), reason, List.of(new Obligation("s", Kind.RESOLVE, 1)), 0, 1, T0);
  }

  static PendingAlert alert(String trail) {
    return Alerts.trigger(trail, T0);
  }

  static void done(CompletableFuture<Void> f) throws Exception {
    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The sum over every counter with these tags (other tags, such as kind, any value). */
  double count(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count)
        .sum();
  }

  // --- PagerDuty

  @Test
  void aPagerDutyTriggerCarriesEveryDocumentedFieldAndIsAccepted() throws Exception {
    PendingAlert a = alert("pd-format");
    AlertState s = paged(a);

    done(worker(pagerDutySink()).submit(new Notification(Kind.TRIGGER, s), 0));

    List<JsonNode> events = pagerDuty.events(s.dedupKey(), "trigger");
    assertThat(events).hasSize(1);
    JsonNode e = events.get(0);
    assertThat(e.path("routing_key").asText()).isEqualTo(ROUTING_KEY);
    assertThat(e.path("dedup_key").asText()).isEqualTo(s.dedupKey());
    JsonNode p = e.path("payload");
    assertThat(p.path("summary").asText()).isEqualTo(a.summary());
    assertThat(p.path("severity").asText()).isEqualTo("error");
    assertThat(p.path("source").asText()).isEqualTo(a.targetRef());
    assertThat(p.path("component").asText()).isEqualTo("AWS::CloudTrail::Trail");
    assertThat(p.path("group").asText()).isEqualTo("platform-security");
    assertThat(p.path("class").asText()).isEqualTo("cloudtrail-stopped");
    assertThat(p.path("timestamp").asText()).isEqualTo("2026-11-20T09:14:02Z");
    JsonNode d = p.path("custom_details");
    assertThat(d.path("actor").asText()).contains("ops-alice");
    assertThat(d.path("change").asText()).isEqualTo("StopLogging (cloudtrail.amazonaws.com)");
    assertThat(d.path("what Portcullis does").asText()).startsWith("alert: notify only");
    assertThat(d.path("target fields").path("name").asText()).isEqualTo("pd-format");
    assertThat(e.path("links").get(0).path("href").asText()).isEqualTo(a.runbook());
    assertThat(pagerDuty.incidents(s.dedupKey())).isEqualTo(1);
    assertThat(count("portcullis.alert.deliveries", "sink", "pagerduty", "outcome", "delivered"))
        .isEqualTo(1);
  }

  @Test
  void severitiesMapToPagerDutysFourLevels() throws Exception {
    Map<Severity, String> expected =
        Map.of(
            Severity.CRITICAL, "critical",
            Severity.HIGH, "error",
            Severity.MEDIUM, "warning",
            Severity.LOW, "info",
            Severity.INFO, "info");
    SinkWorker w = worker(pagerDutySink());
    for (Map.Entry<Severity, String> e : expected.entrySet()) {
      PendingAlert a =
          Alerts.trigger(
              "cloudtrail-stopped", "sev-" + e.getKey(), T0, e.getKey(), Enforcement.BLOCK);
      AlertState s = paged(a);
      done(w.submit(new Notification(Kind.TRIGGER, s), 0));
      assertThat(pagerDuty.events(s.dedupKey(), "trigger").get(0).at("/payload/severity").asText())
          .as("%s", e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void aResolveClosesThePagerDutyAlertByItsDedupKey() throws Exception {
    AlertState s = paged(alert("pd-resolve"));
    SinkWorker w = worker(pagerDutySink());
    done(w.submit(new Notification(Kind.TRIGGER, s), 0));
    assertThat(pagerDuty.status(s.dedupKey())).isEqualTo(FakePagerDuty.Status.TRIGGERED);

    done(w.submit(new Notification(Kind.RESOLVE, resolved(s, "trail logging again")), 0));

    assertThat(pagerDuty.events(s.dedupKey(), "resolve")).hasSize(1);
    assertThat(pagerDuty.status(s.dedupKey())).isEqualTo(FakePagerDuty.Status.RESOLVED);
  }

  @Test
  void theFakePagerDutyRefusesWhatTheRealOneRefuses() throws Exception {
    HttpClient c = HttpClient.newHttpClient();
    String good =
        "{\"routing_key\":\""
            + ROUTING_KEY
            + "\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"s\",\"source\":\"x\","
            + "\"severity\":\"error\"}}";
    assertThat(post(c, pagerDuty.url(), good).statusCode()).isEqualTo(202);
    for (String bad :
        List.of(
            good.replace("\"error\"", "\"high\""),
            good.replace(",\"source\":\"x\"", ""),
            good.replace(ROUTING_KEY, "another-key"),
            good.replace("trigger", "resolve"), // resolve without dedup_key
            good.replace("\"payload\"", "\"payloads\""),
            "{not json")) {
      HttpResponse<String> r = post(c, pagerDuty.url(), bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).path("status").asText()).isEqualTo("invalid event");
    }
  }

  // --- Slack

  @Test
  void aSlackMessageSaysWhoDidWhatToWhichTargetWhatPortcullisDoesAndTheRunbook() throws Exception {
    PendingAlert a = alert("slack-format");
    AlertState s = paged(a);
    SlackSink sink = new SlackSink(settings("slack"), JSON, URI.create(slack.url()));

    done(worker(sink).submit(new Notification(Kind.TRIGGER, s), 0));

    List<JsonNode> got = slack.mentioning("slack-format");
    assertThat(got).hasSize(1);
    String m = got.get(0).toString();
    assertThat(got.get(0).path("text").asText()).startsWith("[HIGH] cloudtrail-stopped: ");
    assertThat(m)
        .contains("*Policy*\\n`cloudtrail-stopped`")
        .contains("*Actor*\\nops-alice (arn:aws:sts::111122223333:assumed-role/Ops/ops-alice)")
        .contains("*Target*\\narn:aws:cloudtrail:eu-west-1:111122223333:trail/slack-format")
        .contains("*Change*\\nStopLogging (cloudtrail.amazonaws.com)")
        .contains("*What Portcullis does*\\nalert: notify only")
        .contains("<" + a.runbook() + "|");
    assertThat(slack.refused()).isEmpty();
  }

  @Test
  void slackControlSequencesFromEventsAreShownNotActedOn() throws Exception {
    PendingAlert a = alert("slack-escape");
    PendingAlert hostile =
        new PendingAlert(
            a.kind(),
            a.dedupKey(),
            a.policy(),
            a.title(),
            a.severity(),
            a.action(),
            a.verdict(),
            "<!channel> ran <https://evil.example|click> & more",
            a.runbook(),
            a.rule(),
            a.details(),
            a.owner(),
            a.tags(),
            a.dedupWindow(),
            a.eventId(),
            a.source(),
            a.eventTime(),
            a.change(),
            a.service(),
            new PendingAlert.AlertActor("<!here>", null, null, null, null),
            a.targetRef(),
            a.target(),
            null);
    SlackSink sink = new SlackSink(settings("slack"), JSON, URI.create(slack.url()));

    done(worker(sink).submit(new Notification(Kind.TRIGGER, paged(hostile)), 0));

    String m = slack.mentioning("slack-escape").get(0).path("blocks").toString();
    assertThat(m)
        .doesNotContain("<!channel>")
        .doesNotContain("<!here>")
        .doesNotContain("<https://evil");
    assertThat(m).contains("&lt;!channel&gt;").contains("&lt;!here&gt;").contains("&amp; more");
  }

  @Test
  void aSlackRateLimitIsWaitedOutAndTheMessageSentOnce() throws Exception {
    AlertState s = paged(alert("slack-429"));
    slack.rateLimitNext(2);
    SlackSink sink = new SlackSink(settings("slack"), JSON, URI.create(slack.url()));

    done(worker(sink).submit(new Notification(Kind.TRIGGER, s), 0));

    assertThat(slack.mentioning("slack-429")).hasSize(1);
    assertThat(count("portcullis.alert.deliveries", "sink", "slack", "outcome", "failed"))
        .isEqualTo(2);
  }

  // --- CloudEvents webhook

  @Test
  void theWebhookGetsAValidCloudEventWithAStableId() throws Exception {
    PendingAlert a = alert("ce-format");
    AlertState s = paged(a);
    WebhookSink sink =
        new WebhookSink(settings("webhook"), JSON, URI.create(webhook.url()), "/portcullis");
    SinkWorker w = worker(sink);

    done(w.submit(new Notification(Kind.TRIGGER, s), 0));
    done(w.submit(new Notification(Kind.TRIGGER, s), 0)); // a re-send after a crash
    done(w.submit(new Notification(Kind.RESOLVE, resolved(s, "fixed")), 0));

    List<JsonNode> triggered = webhook.withDedupKey(s.dedupKey(), WebhookSink.TRIGGERED);
    assertThat(triggered).hasSize(2);
    assertThat(triggered.get(0).path("id")).isEqualTo(triggered.get(1).path("id"));
    JsonNode e = triggered.get(0);
    assertThat(e.path("specversion").asText()).isEqualTo("1.0");
    assertThat(e.path("source").asText()).isEqualTo("/portcullis");
    assertThat(e.path("subject").asText()).isEqualTo("cloudtrail-stopped");
    assertThat(e.path("time").asText()).isEqualTo("2026-11-20T09:14:02Z");
    assertThat(e.path("severity").asText()).isEqualTo("high");
    assertThat(e.at("/data/status").asText()).isEqualTo("firing");
    assertThat(e.at("/data/alert/summary").asText()).isEqualTo(a.summary());
    assertThat(e.at("/data/alert/actor/principal").asText()).contains("ops-alice");
    assertThat(e.at("/data/occurrences").asLong()).isEqualTo(1);

    JsonNode r = webhook.withDedupKey(s.dedupKey(), WebhookSink.RESOLVED).get(0);
    assertThat(r.path("id")).isNotEqualTo(e.path("id"));
    assertThat(r.at("/data/status").asText()).isEqualTo("resolved");
    assertThat(r.at("/data/reason").asText()).isEqualTo("fixed");
    assertThat(webhook.refused()).isEmpty();
  }

  // --- Alertmanager (real)

  @Test
  void theRealAlertmanagerHoldsTheAlertWithItsWordsAndForgetsItOnResolve() throws Exception {
    PendingAlert a = alert("am-format");
    AlertState s = paged(a);
    AlertmanagerSink sink =
        new AlertmanagerSink(
            settings("alertmanager"),
            JSON,
            URI.create(alertmanager.url()),
            Map.of("cluster", "test-cluster", "policy", "not-ours-to-set"));
    SinkWorker w = worker(sink);

    done(w.submit(new Notification(Kind.TRIGGER, s), 0));

    List<JsonNode> held = alertmanager.alerts(s.dedupKey());
    assertThat(held).hasSize(1);
    JsonNode labels = held.get(0).path("labels");
    assertThat(labels.path("alertname").asText()).isEqualTo("cloudtrail-stopped");
    assertThat(labels.path("policy").asText()).isEqualTo("cloudtrail-stopped");
    assertThat(labels.path("severity").asText()).isEqualTo("high");
    assertThat(labels.path("target_account").asText()).isEqualTo("111122223333");
    assertThat(labels.path("target_name").asText()).isEqualTo("am-format");
    assertThat(labels.path("cluster").asText()).isEqualTo("test-cluster");
    JsonNode ann = held.get(0).path("annotations");
    assertThat(ann.path("summary").asText()).isEqualTo(a.summary());
    assertThat(ann.path("runbook_url").asText()).isEqualTo(a.runbook());
    assertThat(held.get(0).path("startsAt").asText()).startsWith("2026-11-20T09:14:02");
    await().atMost(WAIT).until(() -> !alertmanager.notified(s.dedupKey(), "firing").isEmpty());

    done(w.submit(new Notification(Kind.RESOLVE, resolved(s, "trail back")), 0));

    await().atMost(WAIT).until(() -> alertmanager.alerts(s.dedupKey()).isEmpty());
    await().atMost(WAIT).until(() -> !alertmanager.notified(s.dedupKey(), "resolved").isEmpty());
    assertThat(
            alertmanager
                .notified(s.dedupKey(), "resolved")
                .get(0)
                .at("/annotations/resolved_because")
                .asText())
        .isEqualTo("trail back");
  }

  @Test
  void anExtraLabelThatIsNoLabelNameStopsTheStartWithTheSinksName() {
    assertThatThrownBy(
            () ->
                new AlertmanagerSink(
                    settings("alertmanager/prod"),
                    JSON,
                    URI.create(alertmanager.url()),
                    Map.of("bad-name", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alertmanager/prod")
        .hasMessageContaining("bad-name");
  }

  // --- outages, rejections, give-ups

  @Test
  void aSinkThatIsDownGetsTheAlertExactlyOnceWhenItIsBack() throws Exception {
    AlertState s = paged(alert("pd-outage"));
    pagerDuty.stop();
    SinkWorker w = worker(pagerDutySink());

    CompletableFuture<Void> done = w.submit(new Notification(Kind.TRIGGER, s), 0);

    await().atMost(WAIT).until(() -> w.health().circuit() != CircuitBreaker.State.CLOSED);
    assertThat(done).isNotDone();
    assertThat(w.health().lastError()).startsWith("no answer");
    assertThat(w.health().backlog()).isEqualTo(1);
    pagerDuty.start();

    done(done);
    assertThat(pagerDuty.events(s.dedupKey(), "trigger")).hasSize(1);
    assertThat(w.health().circuit()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(count("portcullis.alert.deliveries", "sink", "pagerduty", "outcome", "failed"))
        .isGreaterThanOrEqualTo(3);
    assertThat(count("portcullis.alert.deliveries", "sink", "pagerduty", "outcome", "delivered"))
        .isEqualTo(1);
  }

  @Test
  void aRejectedAlertIsDeadLetteredOnceAndNotRetried() throws Exception {
    AlertState s = paged(alert("pd-rejected"));
    pagerDuty.rejectNext(1);
    int before = pagerDuty.requests();

    done(worker(pagerDutySink()).submit(new Notification(Kind.TRIGGER, s), 0));

    assertThat(pagerDuty.requests() - before).isEqualTo(1);
    assertThat(pagerDuty.events(s.dedupKey(), "trigger")).isEmpty();
    assertThat(deadLetters.sent).hasSize(1);
    Map<String, String> h = deadLetters.headers(0);
    assertThat(h)
        .containsEntry("dead-letter-code", AlertDeadLetters.REJECTED)
        .containsEntry("dead-letter-sink", "pagerduty")
        .containsEntry("dead-letter-kind", "trigger");
    assertThat(h.get("dead-letter-reason")).startsWith("HTTP 400").contains("invalid event");
    assertThat(deadLetters.payload(0)).contains("pd-rejected").doesNotContain(ROUTING_KEY);
  }

  @Test
  void withLimitedAttemptsAnAlertIsGivenUpToTheDeadLetterTopic() throws Exception {
    AlertState s = paged(alert("pd-give-up"));
    pagerDuty.stop();
    PagerDutySink sink =
        new PagerDutySink(
            settings("pagerduty", 2, Duration.ofSeconds(5)),
            JSON,
            URI.create(pagerDuty.url()),
            ROUTING_KEY,
            null);

    done(worker(sink).submit(new Notification(Kind.TRIGGER, s), 0));

    assertThat(deadLetters.headers(0)).containsEntry("dead-letter-code", AlertDeadLetters.GAVE_UP);
    assertThat(count("portcullis.alert.deliveries", "sink", "pagerduty", "outcome", "gave-up"))
        .isEqualTo(1);
  }

  @Test
  void aSinkThatDoesNotAnswerTimesOutAndIsRetried() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpReceiver hanging =
        new HttpReceiver() {
          int calls;

          @Override
          void handle(HttpExchange ex) throws IOException {
            body(ex);
            if (calls++ == 0) {
              try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            send(ex, 200, "text/plain", "ok");
          }
        }.start();
    try {
      SlackSink sink =
          new SlackSink(
              settings("slack", 0, Duration.ofMillis(300)),
              JSON,
              URI.create(hanging.base() + "/hook"));
      SinkWorker w = worker(sink);

      done(w.submit(new Notification(Kind.TRIGGER, paged(alert("timeout"))), 0));

      assertThat(w.health().lastError()).isEqualTo("timed out after PT0.3S");
      assertThat(count("portcullis.alert.deliveries", "sink", "slack", "outcome", "failed"))
          .isEqualTo(1);
    } finally {
      release.countDown();
      hanging.close();
    }
  }

  @Test
  void aDeliveryOfARevokedPartitionIsDroppedForItsNewOwner() {
    pagerDuty.stop();
    SinkWorker w = worker(pagerDutySink());
    CompletableFuture<Void> done =
        w.submit(new Notification(Kind.TRIGGER, paged(alert("revoked"))), 3);

    generations.revoke(List.of(3));

    assertThatThrownBy(() -> done.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DeliveryRevoked.class);
  }

  // --- plumbing

  static HttpResponse<String> post(HttpClient c, String url, String body) throws Exception {
    return c.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Takes dead letters as the Kafka connector would, acknowledging each at once. */
  static final class RecordingEmitter implements Emitter<byte[]> {
    final List<Message<byte[]>> sent = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Void> send(byte[] msg) {
      send(Message.of(msg));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <M extends Message<? extends byte[]>> void send(M msg) {
      sent.add((Message<byte[]>) msg);
      msg.ack();
    }

    Map<String, String> headers(int i) {
      Map<String, String> out = new java.util.HashMap<>();
      OutgoingKafkaRecordMetadata<?> md =
          sent.get(i).getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
      for (Header h : md.getHeaders()) {
        out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
      }
      return out;
    }

    String payload(int i) {
      return new String(sent.get(i).getPayload(), StandardCharsets.UTF_8);
    }

    @Override
    public void complete() {}

    @Override
    public void error(Exception e) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean hasRequests() {
      return true;
    }
  }
}
