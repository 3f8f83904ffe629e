package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.config.DnsConfig;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.enforce.revert.Reverts;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.ingest.PipelineMetrics;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.KafkaBrokerResource;
import dev.portcullis.testing.LearnedState;
import dev.portcullis.testing.TempDirs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stream's topology without a broker ({@link TopologyTestDriver}): the re-keying by scope onto
 * the changes topic, and each store of the judge (dedup, audit stages, facts) as events teach it.
 * The same topology runs against a real broker in the stream tests.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
class TopologyProducerTest {

  @Inject PortcullisConfig config;
  @Inject DnsConfig dns;
  @Inject EventDecoder decoder;
  @Inject ChangeEvaluator evaluator;
  @Inject Reverts reverts;
  @Inject PipelineMetrics metrics;
  @Inject ObjectMapper mapper;
  @Inject io.micrometer.core.instrument.MeterRegistry registry;

  TopologyTestDriver driver;
  TestInputTopic<byte[], byte[]> cloudtrail;
  TestInputTopic<byte[], byte[]> k8s;
  TestInputTopic<byte[], byte[]> changesIn;
  TestOutputTopic<byte[], byte[]> changes;
  TestOutputTopic<byte[], byte[]> decisions;
  TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void start() throws Exception {
    open(metrics);
  }

  void open(PipelineMetrics metrics) throws Exception {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, TempDirs.create("topology-test").toString());
    driver =
        new TopologyTestDriver(
            TopologyProducer.build(config, dns, decoder, evaluator, reverts, metrics, mapper), p);
    PortcullisConfig.Topics t = config.topics();
    ByteArraySerializer ser = new ByteArraySerializer();
    ByteArrayDeserializer de = new ByteArrayDeserializer();
    cloudtrail = driver.createInputTopic(t.cloudtrail(), ser, ser);
    k8s = driver.createInputTopic(t.k8sAudit(), ser, ser);
    changesIn = driver.createInputTopic(t.changes(), ser, ser);
    changes = driver.createOutputTopic(t.changes(), de, de);
    decisions = driver.createOutputTopic(t.decisions(), de, de);
    deadLetters = driver.createOutputTopic(t.deadLetter(), de, de);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /** Sends a CloudTrail record: decoded, and judged from the changes topic. */
  void send(String json) {
    cloudtrail.pipeInput(null, bytes(json));
    forwardChanges();
  }

  /**
   * What the decode step wrote to the changes topic since the last call. The driver reads it back
   * into the judge itself (a topic the topology writes and reads), as the stream does.
   */
  List<TestRecord<byte[], byte[]>> forwardChanges() {
    return changes.readRecordsToList();
  }

  Map<String, JsonNode> decisionsByKey() throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    for (TestRecord<byte[], byte[]> r : decisions.readRecordsToList()) {
      out.merge(
          new String(r.key(), StandardCharsets.UTF_8),
          mapper.readTree(r.value()),
          (a, b) -> {
            throw new AssertionError("two decision records for " + a.path("eventId"));
          });
    }
    return out;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  @Test
  void theWarmUpJudgesThePoliciesTestCaseEventsAndLeavesNoTrace() throws Exception {
    double decisions = decisionsCounted();
    long evaluations = registry.get("portcullis.evaluation").timer().count();
    WarmUp.Result r = WarmUp.run(evaluator, decoder, mapper, Duration.ofSeconds(30));
    // Every bundled policy has cases that fire and cases that stay quiet: well over 100 events.
    assertThat(r.events()).isGreaterThan(100);
    assertThat(r.evaluations()).isGreaterThanOrEqualTo(r.events());
    assertThat(decisionsCounted()).isEqualTo(decisions);
    assertThat(registry.get("portcullis.evaluation").timer().count()).isEqualTo(evaluations);
    assertThat(
            WarmUp.run(evaluator, decoder, mapper, List.of(), Duration.ofSeconds(1), 5)
                .evaluations())
        .isZero();
    assertThat(WarmUp.run(evaluator, decoder, mapper, Duration.ZERO).evaluations()).isZero();
  }

  double decisionsCounted() {
    return registry.find("portcullis.decisions").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count)
        .sum();
  }

  @Test
  void theJudgeTakesWhatItsOwnDecodeWroteAndParsesAnyOtherRecordToTheSameDecision()
      throws Exception {
    String own = Events.newId();
    String elsewhere = Events.newId();
    String forged = Events.newId();
    // Counted apart from the service's own stream, which runs in this JVM too.
    io.micrometer.core.instrument.MeterRegistry counted =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    stop();
    open(new PipelineMetrics(counted));
    cloudtrail.pipeInput(null, bytes(Events.load("stop-logging.json", own)));
    // The driver reads the changes topic back itself (as the stream does): once, handed over.
    List<TestRecord<byte[], byte[]>> written = changes.readRecordsToList();
    assertThat(written).hasSize(1);
    assertThat(written.get(0).headers().lastHeader(HandOver.HEADER)).isNotNull();
    String record = new String(written.get(0).value(), StandardCharsets.UTF_8);

    // The same change record as another instance writes it: no token this process gave out.
    changesIn.pipeInput(
        new TestRecord<>(
            bytes("event:" + elsewhere), bytes(record.replace(own, elsewhere)), Instant.now()));
    // A token of another process (another random id, same sequence number).
    org.apache.kafka.common.header.internals.RecordHeaders foreign =
        new org.apache.kafka.common.header.internals.RecordHeaders();
    byte[] token = written.get(0).headers().lastHeader(HandOver.HEADER).value().clone();
    token[0] ^= 1;
    foreign.add(HandOver.HEADER, token);
    changesIn.pipeInput(
        new TestRecord<>(
            bytes("event:" + forged), bytes(record.replace(own, forged)), foreign, Instant.now()));

    assertThat(changeRecords(counted, "handed-over")).isEqualTo(1.0);
    assertThat(changeRecords(counted, "parsed")).isEqualTo(2.0);
    Map<String, JsonNode> out = decisionsByKey();
    assertThat(out).containsOnlyKeys(own, elsewhere, forged);
    String expected = comparable(out.get(own), own);
    assertThat(out.get(own).path("decisions").get(0).path("policy").asText())
        .isEqualTo("cloudtrail-stopped");
    assertThat(comparable(out.get(elsewhere), elsewhere)).isEqualTo(expected);
    assertThat(comparable(out.get(forged), forged)).isEqualTo(expected);
  }

  /** A decision record without its id and the time it was made. */
  static String comparable(JsonNode decision, String id) {
    com.fasterxml.jackson.databind.node.ObjectNode copy =
        (com.fasterxml.jackson.databind.node.ObjectNode) decision.deepCopy();
    copy.remove("decidedAt");
    return copy.toString().replace(id, "<id>");
  }

  static double changeRecords(io.micrometer.core.instrument.MeterRegistry registry, String read) {
    var c = registry.find("portcullis.stream.change.records").tag("read", read).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void eventsAreReKeyedByTheScopeTheirStateBelongsTo() throws Exception {
    String bucket = "scope-" + Events.newId();
    String s3 = Events.newId();
    String other = Events.newId();
    cloudtrail.pipeInput(null, bytes(LearnedState.controlFileWritten(bucket, s3, now())));
    cloudtrail.pipeInput(null, bytes(Events.load("stop-logging.json", other)));
    List<TestRecord<byte[], byte[]>> written = changes.readRecordsToList();
    assertThat(written)
        .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
        .containsExactly("s3:" + bucket, "event:" + other);
    ChangeRecord first = ChangeRecord.read(written.get(0).value(), mapper);
    assertThat(first.event().getId()).isEqualTo(s3);
    assertThat(first.origin().topic()).isEqualTo(config.topics().cloudtrail());
  }

  @Test
  void aSecondDeliveryIsDroppedByTheDedupStore() throws Exception {
    String id = Events.newId();
    String event = Events.load("stop-logging.json", id);
    send(event);
    send(event);
    Map<String, JsonNode> out = decisionsByKey();
    assertThat(out).containsOnlyKeys(id);
    assertThat(out.get(id).path("decisions").get(0).path("policy").asText())
        .isEqualTo("cloudtrail-stopped");
    KeyValueStore<String, Long> dedup = driver.getKeyValueStore(TopologyProducer.DEDUP_STORE);
    assertThat(dedup.get(id)).isNotNull();
    // And in time order, where forgetting starts from the oldest.
    KeyValueStore<String, byte[]> byTime =
        driver.getKeyValueStore(TopologyProducer.DEDUP_BY_TIME_STORE);
    assertThat(byTime.get(DedupMemory.key(dedup.get(id), id))).isNotNull();
    // The partition's event-time watermark is kept with its state, not with a scope.
    KeyValueStore<String, byte[]> facts = driver.getKeyValueStore(TopologyProducer.FACTS_STORE);
    assertThat(mapper.readTree(facts.get("~partition|watermark")).path("newest").asText())
        .isEqualTo(Events.tree(event).path("eventTime").asText());
    // A scope with nothing worth keeping has no entry.
    assertThat(facts.get("event:" + id + "|protection")).isNull();
  }

  @Test
  void whatABucketHoldsIsLearnedIntoTheFactsStoreAndJudgesLaterChanges() throws Exception {
    String known = "known-" + Events.newId();
    String unknown = "unknown-" + Events.newId();
    Instant t = now();
    send(LearnedState.controlFileWritten(known, Events.newId(), t.minusSeconds(60)));
    KeyValueStore<String, byte[]> facts = driver.getKeyValueStore(TopologyProducer.FACTS_STORE);
    JsonNode learned = mapper.readTree(facts.get("s3:" + known + "|protection"));
    assertThat(learned.toString()).contains("backups/etcd/main/control/etcd-cluster-created");
    assertThat(facts.get("s3:" + unknown + "|protection")).isNull();

    String onKnown = Events.newId();
    String onUnknown = Events.newId();
    send(LearnedState.wholeBucketExpiry(known, onKnown, t));
    send(LearnedState.wholeBucketExpiry(unknown, onUnknown, t));
    Map<String, JsonNode> out = decisionsByKey();
    assertThat(out.get(onKnown).path("decisions").toString())
        .contains("etcd-control-files")
        .contains("Portcullis saw it written there");
    assertThat(out.get(onUnknown).path("decisions").toString())
        .doesNotContain("etcd-control-files");
  }

  @Test
  void theGuardsObservationsAreRecordedInTheBucketsState() throws Exception {
    String bucket = "guarded-" + Events.newId();
    ChangeRecord seen =
        ChangeRecord.observation(
            new ChangeRecord.Observation(
                bucket, "backups/etcd/main/control/etcd-cluster-spec", true, now()));
    changesIn.pipeInput(bytes(seen.scope()), seen.write(mapper));
    KeyValueStore<String, byte[]> facts = driver.getKeyValueStore(TopologyProducer.FACTS_STORE);
    JsonNode learned = mapper.readTree(facts.get("s3:" + bucket + "|protection"));
    assertThat(learned.toString()).contains("etcd-cluster-spec").contains("GUARDED");
    assertThat(decisions.isEmpty()).isTrue();
  }

  @Test
  void aLoneRequestReceivedStageWaitsInTheStagesStoreUntilTheWaitIsOver() throws Exception {
    String id = Events.newId();
    k8s.pipeInput(null, bytes(LearnedState.requestReceived(id)));
    forwardChanges();
    KeyValueStore<String, byte[]> stages = driver.getKeyValueStore(TopologyProducer.STAGES_STORE);
    assertThat(stages.get(id)).isNotNull();
    assertThat(decisions.isEmpty()).isTrue();

    driver.advanceWallClockTime(config.ingest().stageWait().plus(config.stream().tick()));
    Map<String, JsonNode> out = decisionsByKey();
    assertThat(out.get(id).path("outcome").path("stage").asText()).isEqualTo("RequestReceived");
    assertThat(stages.get(id)).isNull();
  }

  @Test
  void theFinalStageDecidesTheRequestOnceAndClearsTheWaitingStage() throws Exception {
    String id = Events.newId();
    k8s.pipeInput(null, bytes(LearnedState.requestReceived(id)));
    k8s.pipeInput(null, bytes(LearnedState.responseComplete(id)));
    forwardChanges();
    driver.advanceWallClockTime(config.ingest().stageWait().plus(Duration.ofSeconds(2)));
    Map<String, JsonNode> out = decisionsByKey();
    assertThat(out).containsOnlyKeys(id);
    assertThat(out.get(id).path("outcome").path("stage").asText()).isEqualTo("ResponseComplete");
    assertThat(out.toString()).doesNotContain("aHVudGVyMi1TRUNSRVQtVkFMVUU=");
  }

  /**
   * ScaleOutIT found it under a kill: the final stage of an old request (its event time far behind
   * the stream's newest) was decided and its id purged at the next tick, so its first stage,
   * arriving later from another partition, waited and was decided a second time.
   */
  @Test
  void aLateFirstStageOfAnOldRequestIsNotDecidedAgain() throws Exception {
    send(
        Events.tree(Events.load("stop-logging.json", Events.newId()))
            .put("eventTime", now().toString())
            .toString());
    String id = Events.newId();
    k8s.pipeInput(null, bytes(LearnedState.responseComplete(id)));
    forwardChanges();
    driver.advanceWallClockTime(config.stream().tick().multipliedBy(3));
    k8s.pipeInput(null, bytes(LearnedState.requestReceived(id)));
    forwardChanges();
    driver.advanceWallClockTime(config.ingest().stageWait().plus(config.stream().tick()));
    Map<String, JsonNode> out = decisionsByKey();
    assertThat(out.get(id).path("outcome").path("stage").asText()).isEqualTo("ResponseComplete");
  }

  @Test
  void aChangesRecordThatIsNoChangeRecordIsDeadLetteredNotDropped() {
    changesIn.pipeInput(bytes("s3:x"), bytes("{\"scope\":\"s3:x\",\"type\":\"what\"}"));
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    Map<String, String> h = new HashMap<>();
    for (Header x : dead.headers()) {
      h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
    }
    assertThat(h)
        .containsEntry("dead-letter-code", "invalid-change-record")
        .containsEntry("dead-letter-topic", config.topics().changes());
    assertThat(decisions.isEmpty()).isTrue();
  }

  @Test
  void unreadableInputIsDeadLetteredWithItsReasonAndCoordinates() {
    cloudtrail.pipeInput(bytes("k1"), bytes("this is not json"));
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("this is not json");
    Map<String, String> h = new HashMap<>();
    for (Header x : dead.headers()) {
      h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
    }
    assertThat(h)
        .containsEntry("dead-letter-code", "not-json")
        .containsEntry("dead-letter-topic", config.topics().cloudtrail())
        .containsKeys("dead-letter-partition", "dead-letter-offset", "dead-letter-reason");
    assertThat(changes.isEmpty()).isTrue();
  }

  static Map<String, String> headers(TestRecord<byte[], byte[]> r) {
    Map<String, String> h = new HashMap<>();
    for (Header x : r.headers()) {
      h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
    }
    return h;
  }

  @Test
  void aDecisionRecordNamesTheInputRecordItCameFrom() {
    String first = Events.newId();
    String second = Events.newId();
    cloudtrail.pipeInput(null, bytes(Events.load("list-buckets.json", first)));
    cloudtrail.pipeInput(null, bytes(Events.load("stop-logging.json", second)));
    forwardChanges();
    Map<String, Map<String, String>> byKey = new HashMap<>();
    for (TestRecord<byte[], byte[]> r : decisions.readRecordsToList()) {
      byKey.put(new String(r.key(), StandardCharsets.UTF_8), headers(r));
    }
    assertThat(byKey.get(first))
        .containsEntry(TopologyProducer.INPUT_TOPIC_HEADER, config.topics().cloudtrail())
        .containsEntry(TopologyProducer.INPUT_PARTITION_HEADER, "0")
        .containsEntry(TopologyProducer.INPUT_OFFSET_HEADER, "0");
    assertThat(byKey.get(second)).containsEntry(TopologyProducer.INPUT_OFFSET_HEADER, "1");
  }

  @Test
  void aStageDecidedAfterItsWaitNamesTheInputRecordItCameFrom() {
    String id = Events.newId();
    k8s.pipeInput(null, bytes(LearnedState.requestReceived(id)));
    forwardChanges();
    driver.advanceWallClockTime(config.ingest().stageWait().plus(config.stream().tick()));
    TestRecord<byte[], byte[]> decided = decisions.readRecord();
    assertThat(new String(decided.key(), StandardCharsets.UTF_8)).isEqualTo(id);
    assertThat(headers(decided))
        .containsEntry(TopologyProducer.INPUT_TOPIC_HEADER, config.topics().k8sAudit())
        .containsKeys(
            TopologyProducer.INPUT_PARTITION_HEADER, TopologyProducer.INPUT_OFFSET_HEADER);
  }

  /**
   * Regression (found by MutatedRecordsIT): a gzip input whose one event is larger than a record
   * Kafka takes made the producer fail and stopped the stream, again at every restart.
   */
  @Test
  void anEventTooLargeForTheChangesTopicIsDeadLetteredWithItsCoordinates() {
    String id = Events.newId();
    String huge = "a".repeat(TopologyProducer.MAX_RECORD_BYTES);
    String event =
        Events.tree(Events.load("list-buckets.json", id)).put("userAgent", huge).toString();
    cloudtrail.pipeInput(bytes("k"), Events.gzip(event));
    assertThat(changes.isEmpty()).isTrue();
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(headers(dead))
        .containsEntry("dead-letter-code", "too-large")
        .containsEntry("dead-letter-topic", config.topics().cloudtrail())
        .containsEntry("dead-letter-offset", "0");
    assertThat(headers(dead).get("dead-letter-reason")).contains(id, "change record");
    assertThat(dead.value().length).isLessThanOrEqualTo(TopologyProducer.MAX_RECORD_BYTES);
  }

  @Test
  void aDeadLetterLargerThanARecordKafkaTakesIsCut() {
    // Gzip of 3 MB of broken JSON holding a secret: refused whole, its content kept decompressed
    // with the secret cut out, and that is more than a record Kafka takes.
    String broken = "{\"SecretString\":\"hunter2-SECRET\",\"pad\":\"" + "x".repeat(3 * 1024 * 1024);
    cloudtrail.pipeInput(bytes("k"), Events.gzip(broken));
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(headers(dead)).containsEntry("dead-letter-code", "not-json");
    assertThat(headers(dead).get("dead-letter-reason")).contains("holds its first");
    assertThat(dead.value().length).isLessThanOrEqualTo(TopologyProducer.MAX_RECORD_BYTES);
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).doesNotContain("hunter2");
  }

  /**
   * Regression (found by MutatedRecordsIT): a decision record larger than a record Kafka takes
   * failed the producer and stopped the stream. Such a change record cannot come from the decode
   * step (which dead-letters events too large itself), so it is written to the changes topic here.
   */
  @Test
  void aDecisionTooLargeForTheDecisionsTopicIsDeadLetteredWithItsCoordinates() throws Exception {
    String id = "huge-" + "i".repeat(TopologyProducer.MAX_RECORD_BYTES / 2);
    dev.portcullis.event.ChangeEvent e =
        decoder.decode(bytes(Events.load("stop-logging.json", id)), Instant.now()).events().get(0);
    ChangeRecord.Origin origin = new ChangeRecord.Origin(config.topics().cloudtrail(), 2, 42);
    changesIn.pipeInput(
        bytes("event:x"), ChangeRecord.event("event:x", e, Instant.now(), origin).write(mapper));
    assertThat(decisions.isEmpty()).isTrue();
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(headers(dead))
        .containsEntry("dead-letter-code", "too-large")
        .containsEntry("dead-letter-topic", config.topics().cloudtrail())
        .containsEntry("dead-letter-partition", "2")
        .containsEntry("dead-letter-offset", "42");
    assertThat(headers(dead).get("dead-letter-reason")).contains("decision record", "huge-iii");
  }
}
