package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portcullis.alert.AlertState.Obligation;
import dev.portcullis.alert.PendingAlert.Kind;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alert state in a real compacted Kafka topic: what one instance writes, a restarted instance
 * reads at start, and a running one sees once it catches up; an instance's own writes coming back
 * never undo its later ones.
 */
class AlertStateStoreTest {

  static final ObjectMapper JSON =
      new ObjectMapper()
          .findAndRegisterModules()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  static final Instant T0 = Instant.parse("2026-11-20T09:14:02Z");
  static final Duration WAIT = Duration.ofSeconds(30);

  String topic;
  Map<String, Object> kafka;
  final List<AlertStateStore> stores = new ArrayList<>();

  @BeforeEach
  void topic() throws Exception {
    topic = "test.alert-state." + Events.newId();
    kafka = Map.of("bootstrap.servers", KafkaBrokerResource.broker().bootstrapServers());
    try (Admin admin = Admin.create(kafka)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 2, (short) 1)
                      .configs(
                          Map.of(
                              TopicConfig.CLEANUP_POLICY_CONFIG,
                              TopicConfig.CLEANUP_POLICY_COMPACT))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void close() {
    stores.forEach(AlertStateStore::close);
  }

  AlertStateStore store() throws Exception {
    AlertStateStore s = new AlertStateStore(topic, JSON, kafka).start();
    stores.add(s);
    s.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return s;
  }

  static AlertState page(String trail) {
    return Deduplicator.apply(
            null,
            Alerts.trigger(trail, T0),
            1,
            10,
            Duration.ofHours(1),
            a -> List.of("pagerduty"),
            T0)
        .next();
  }

  @Test
  void aRestartedInstanceReadsEveryStateAtStart() throws Exception {
    AlertStateStore first = store();
    AlertState s = page("restart");
    first.update(s.dedupKey(), cur -> s).get(10, TimeUnit.SECONDS);
    first
        .update(s.dedupKey(), cur -> cur.withRepeat(T0.plusSeconds(5), 1, 11, T0))
        .get(10, TimeUnit.SECONDS);
    first.close();

    AlertStateStore second = store();

    AlertState read = second.get(s.dedupKey());
    assertThat(read).isNotNull();
    assertThat(read.version()).isEqualTo(2);
    assertThat(read.count()).isEqualTo(2);
    assertThat(read.lastOffset()).isEqualTo(11);
    assertThat(read.owed()).containsExactly(new Obligation("pagerduty", Kind.TRIGGER, 10));
    assertThat(read.alert().summary()).isEqualTo(s.alert().summary());
    assertThat(read.alert().actor()).isEqualTo(s.alert().actor());
  }

  @Test
  void aRunningInstanceSeesAnotherInstancesWriteOnceCaughtUp() throws Exception {
    AlertStateStore a = store();
    AlertStateStore b = store();
    AlertState s = page("hand-over");

    a.update(s.dedupKey(), cur -> s).get(10, TimeUnit.SECONDS);
    b.catchUp().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(b.get(s.dedupKey())).isNotNull();
    assertThat(b.get(s.dedupKey()).version()).isEqualTo(1);
  }

  @Test
  void anInstancesOwnOlderWritesComingBackNeverUndoItsLaterOnes() throws Exception {
    AlertStateStore a = store();
    AlertState s = page("echo");
    a.update(s.dedupKey(), cur -> s);
    a.update(s.dedupKey(), cur -> cur.withRepeat(T0.plusSeconds(1), 1, 11, T0));
    a.update(s.dedupKey(), cur -> cur.withRepeat(T0.plusSeconds(2), 1, 12, T0))
        .get(10, TimeUnit.SECONDS);

    a.catchUp().get(WAIT.toSeconds(), TimeUnit.SECONDS); // all three have come back by now

    assertThat(a.get(s.dedupKey()).version()).isEqualTo(3);
    assertThat(a.get(s.dedupKey()).count()).isEqualTo(3);
  }

  @Test
  void quietStatesWithNothingOwedAreForgottenEverywhere() throws Exception {
    AlertStateStore a = store();
    AlertStateStore b = store();
    AlertState owing = page("still-owed");
    AlertState done =
        page("all-delivered").delivered(new Obligation("pagerduty", Kind.TRIGGER, 10), T0);
    a.update(owing.dedupKey(), cur -> owing).get(10, TimeUnit.SECONDS);
    a.update(done.dedupKey(), cur -> done).get(10, TimeUnit.SECONDS);
    b.catchUp().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(b.get(done.dedupKey())).isNotNull();

    int forgotten = a.expire(T0.plus(Duration.ofDays(8)), Duration.ofDays(7));

    assertThat(forgotten).isEqualTo(1);
    assertThat(a.get(done.dedupKey())).isNull();
    assertThat(a.get(owing.dedupKey())).isNotNull(); // a page still owed is never forgotten
    await()
        .atMost(WAIT)
        .until(
            () -> {
              b.catchUp().get(WAIT.toSeconds(), TimeUnit.SECONDS);
              return b.get(done.dedupKey()) == null;
            });
    assertThat(store().get(done.dedupKey())).isNull();
  }
}
