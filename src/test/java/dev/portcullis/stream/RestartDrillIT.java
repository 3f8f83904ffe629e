package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.LearnedState;
import dev.portcullis.testing.StreamCluster;
import dev.portcullis.testing.TempDirs;
import dev.portcullis.testing.TopicWatcher;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Restart drills against the packaged jar: for every kind of state the stream learns, teach it,
 * SIGKILL the service, restart it on the same state folder, and show that the next event is judged
 * as if no crash had happened. Exactly once means the kill also leaves no decision twice.
 */
class RestartDrillIT {

  static final Duration WAIT = Duration.ofSeconds(60);
  static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker =
        new EmbeddedKafkaBroker(0, TempDirs.create("restart-drill-kafka"))
            .start(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  static String policies(List<JsonNode> records) {
    StringBuilder out = new StringBuilder();
    for (JsonNode r : records) {
      r.path("decisions").forEach(d -> out.append(d.path("policy").asText()).append(' '));
    }
    return out.toString();
  }

  @Test
  void afterKillNineEveryKindOfLearnedStateJudgesTheNextEventAsBefore() throws Exception {
    String props =
        "portcullis.policy.parameters.\"dns-zone-split-brain\"="
            + LearnedState.zonePairs(25, 0)
            + "\nportcullis.dns.split-brain.check-every=PT1S\n"
            // Long enough that the waiting stage is still waiting when the service is killed.
            + "portcullis.ingest.stage-wait=PT2M\n";
    String name = "drill-" + Events.newId().substring(0, 8);
    try (StreamCluster c = new StreamCluster(name, broker, props)) {
      c.start();
      Instant t = now();
      String bucket = "drill-" + Events.newId();
      String written = Events.newId();
      String repeated = Events.newId();
      // Within the dedup window of the newest event time, as a CloudTrail redelivery is.
      String stopLogging =
          Events.tree(Events.load("stop-logging.json", repeated))
              .put("eventTime", t.toString())
              .toString();
      String label = "drill" + Events.newId().substring(0, 8);
      String created = Events.newId();
      String unmirrored = Events.newId();
      String audit = Events.newId();

      // Teach: a bucket holds control files; an event decided; weights of a record set; a DNS
      // change waiting for its mirror; an audit stage waiting for its final stage.
      c.cloudtrail(LearnedState.controlFileWritten(bucket, written, t.minusSeconds(120)));
      c.cloudtrail(stopLogging);
      c.cloudtrail(LearnedState.weightsCreated(label, created, t.minusSeconds(60)));
      c.cloudtrail(LearnedState.blueChange(label, unmirrored, t));
      c.k8s(LearnedState.requestReceived(audit));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  c.decisionsByKey()
                      .keySet()
                      .containsAll(List.of(written, repeated, created, unmirrored)));
      // The stage's wait is committed with the others' decisions once a record is on its changelog.
      try (TopicWatcher stages =
          new TopicWatcher(broker.bootstrapServers(), name + "-portcullis-stages-changelog")) {
        await().atMost(WAIT).until(() -> !stages.withKey(audit).isEmpty());
      }

      c.apps.get(0).kill();
      c.restart(1);

      String expiry = Events.newId();
      String shift = Events.newId();
      c.cloudtrail(LearnedState.wholeBucketExpiry(bucket, expiry, t));
      c.cloudtrail(stopLogging); // CloudTrail delivers the same event again
      c.cloudtrail(LearnedState.weightShift(label, shift, t));
      c.k8s(LearnedState.responseComplete(audit));

      await()
          .atMost(WAIT)
          .until(() -> c.decisionsByKey().keySet().containsAll(List.of(expiry, shift, audit)));
      // The bucket is still known to hold control files.
      assertThat(c.decisionsByKey().get(expiry).toString())
          .contains("etcd-control-files")
          .contains("Portcullis saw it written there");
      // The weights before the shift are still known.
      assertThat(c.decisionsByKey().get(shift).toString())
          .contains("dns-weight-shift")
          .contains("moved 70.8 points");
      // The waiting change is decided once its window has passed on the wall clock.
      await()
          .atMost(WAIT)
          .until(() -> c.decisionsByKey().containsKey(unmirrored + "/dns-zone-split-brain"));
      assertThat(policies(c.decisionsByKey().get(unmirrored + "/dns-zone-split-brain")))
          .contains("dns-zone-split-brain");
      // The audit request is decided once, on its final stage.
      await()
          .during(Duration.ofSeconds(3))
          .atMost(WAIT)
          .until(() -> c.decisionsByKey().get(audit).size() == 1);
      assertThat(c.decisionsByKey().get(audit).get(0).path("outcome").path("stage").asText())
          .isEqualTo("ResponseComplete");
      // The repeated event is not decided again; nothing was decided twice across the kill.
      c.decisionsByKey().forEach((k, v) -> assertThat(v).as("records of " + k).hasSize(1));
    }
  }
}
