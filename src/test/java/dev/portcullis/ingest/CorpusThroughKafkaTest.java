package dev.portcullis.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.testing.Corpus;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.Producer;
import dev.portcullis.testing.TopicWatcher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every event of the shared corpus (about 1,200 CloudTrail records and 280 Kubernetes audit events
 * from public projects) goes through Kafka and comes out as a decision record; none is lost and
 * none is dead-lettered. (Which corpus events the policies flag is checked in CorpusVerdictsTest.)
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class CorpusThroughKafkaTest {

  @Test
  void everyCorpusEventYieldsItsDecisionRecordThroughKafka() throws Exception {
    String bootstrap = KafkaBrokerResource.broker().bootstrapServers();
    EventDecoder decoder = new EventDecoder(new ObjectMapper(), 1 << 24);
    // The id each event is decided under, as the decoder assigns it (eventID, auditID or hash).
    Map<String, Integer> occurrences = new HashMap<>();
    Map<String, String> refById = new HashMap<>();
    Set<String> deadLetterKeys = new TreeSet<>();
    try (TopicWatcher decisions = new TopicWatcher(bootstrap, "portcullis.decisions");
        TopicWatcher deadLetters = new TopicWatcher(bootstrap, "portcullis.dead-letter");
        Producer producer = new Producer(bootstrap)) {
      for (String kind : List.of("cloudtrail", "k8saudit")) {
        String topic = kind.equals("cloudtrail") ? "portcullis.cloudtrail" : "portcullis.k8s-audit";
        for (Corpus.Line line : Corpus.lines(kind)) {
          byte[] bytes = line.json().getBytes(StandardCharsets.UTF_8);
          List<ChangeEvent> events = decoder.decode(bytes.clone(), Instant.now()).events();
          assertThat(events).as(line.ref()).hasSize(1);
          String id = events.get(0).getId();
          occurrences.merge(id, 1, Integer::sum);
          refById.putIfAbsent(id, line.ref());
          String key = "corpus:" + line.ref();
          deadLetterKeys.add(key);
          producer.send(topic, key, bytes);
        }
      }
      assertThat(occurrences.values().stream().mapToInt(Integer::intValue).sum())
          .as("corpus size")
          .isGreaterThan(1400);

      await()
          .atMost(Duration.ofSeconds(120))
          .untilAsserted(
              () -> {
                Set<String> missing = new TreeSet<>();
                for (String id : occurrences.keySet()) {
                  if (decisions.withKey(id).isEmpty()) {
                    missing.add(refById.get(id) + " (" + id + ")");
                  }
                }
                assertThat(missing).as("corpus events without a decision record").isEmpty();
              });
      // An id used by one corpus event only is decided exactly once.
      occurrences.forEach(
          (id, n) -> {
            if (n == 1) {
              assertThat(decisions.withKey(id)).as(refById.get(id)).hasSize(1);
            }
          });
      assertThat(deadLetters.matching(r -> r.key() != null && deadLetterKeys.contains(r.key())))
          .as("corpus events dead-lettered")
          .isEmpty();
    }
  }
}
