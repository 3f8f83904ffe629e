package dev.portcullis.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.config.DnsConfig;
import dev.portcullis.config.PortcullisConfig;
import dev.portcullis.enforce.revert.Reverts;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.ingest.OutputChannels;
import dev.portcullis.ingest.PipelineMetrics;
import dev.portcullis.policy.ChangeEvaluator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The stream as a Kafka Streams topology (run by the Quarkus Kafka Streams extension):
 *
 * <pre>
 * cloudtrail, k8s-audit ─▶ decode ─┬─▶ dead-letter        (unreadable input)
 *                                  └─▶ changes            (keyed by scope)
 * changes ─▶ judge [dedup, stages, facts] ─┬─▶ decisions  (keyed by event id, input coordinates)
 *                                          └─▶ dead-letter (evaluation errors)
 * </pre>
 *
 * Store and node names are constants here, reused by tests; every store is persistent and logged,
 * so its changelog topic ({@code <application id>-<store>-changelog}) has a stable name and it is
 * rebuilt on restart and follows its partition to another instance. See docs/architecture.md.
 */
@ApplicationScoped
public class TopologyProducer {

  public static final String DEDUP_STORE = "portcullis-dedup";
  public static final String DEDUP_BY_TIME_STORE = "portcullis-dedup-by-time";
  public static final String STAGES_STORE = "portcullis-stages";
  public static final String FACTS_STORE = "portcullis-facts";

  static final String INPUT_SOURCE = "inputs";
  static final String DECODE = "decode";
  static final String CHANGES_SINK = "changes-out";
  static final String DEAD_LETTER_SINK = "dead-letter-out";
  static final String CHANGES_SOURCE = "changes-in";
  static final String JUDGE = "judge";
  static final String DECISIONS_SINK = "decisions-out";
  static final String JUDGE_DEAD_LETTER_SINK = "judge-dead-letter-out";

  /**
   * Headers of a decision record (and of a revert's record written with it): the topic, partition
   * and offset of the input record it was decoded from. Dead letters carry the same coordinates as
   * {@code dead-letter-topic}, {@code -partition} and {@code -offset}.
   */
  public static final String INPUT_TOPIC_HEADER = "input-topic";

  public static final String INPUT_PARTITION_HEADER = "input-partition";
  public static final String INPUT_OFFSET_HEADER = "input-offset";

  /**
   * The largest record (key, value and headers) the stream writes: Kafka's default producer {@code
   * max.request.size} and broker {@code message.max.bytes} (1 MiB), less room for the record's own
   * overhead. Decompressed input may be far larger (up to {@code portcullis.ingest.max-bytes}): a
   * change event beyond this is dead-lettered and a dead letter beyond it is cut, because a record
   * the producer refuses stops the stream, and it would stop again on the same input at every
   * restart.
   */
  public static final int MAX_RECORD_BYTES = 1024 * 1024 - 16 * 1024;

  /** Reason code of an event the policies could not evaluate. */
  public static final String EVALUATION_ERROR = OutputChannels.EVALUATION_ERROR;

  private final java.util.concurrent.atomic.AtomicBoolean warmedUp =
      new java.util.concurrent.atomic.AtomicBoolean();

  @Produces
  public Topology topology(
      PortcullisConfig config,
      DnsConfig dns,
      EventDecoder decoder,
      ChangeEvaluator evaluator,
      Reverts reverts,
      PipelineMetrics metrics,
      ObjectMapper mapper) {
    // Refused at start-up, not when the first store opens on the stream thread.
    BoundedRocksDb.bytes(config.stream().stateMemory());
    // Before the stream exists: its first events find the path already compiled. Once: the
    // topology is a dependent bean, built for each place that asks for it.
    if (!warmedUp.getAndSet(true)) {
      WarmUp.run(evaluator, decoder, mapper, config.stream().warmUp());
    }
    return build(config, dns, decoder, evaluator, reverts, metrics, mapper);
  }

  /** The topology, also for {@code TopologyTestDriver}. */
  public static Topology build(
      PortcullisConfig config,
      DnsConfig dns,
      EventDecoder decoder,
      ChangeEvaluator evaluator,
      Reverts reverts,
      PipelineMetrics metrics,
      ObjectMapper mapper) {
    PortcullisConfig.Topics topics = config.topics();
    ScopedState scoped = new ScopedState(StreamStateCodecs.all(), mapper);
    HandOver handOver = new HandOver();
    Topology t = new Topology();
    t.addSource(
        INPUT_SOURCE,
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        topics.cloudtrail(),
        topics.k8sAudit());
    t.addProcessor(
        DECODE, () -> new Decode(decoder, evaluator, metrics, mapper, handOver), INPUT_SOURCE);
    t.addSink(
        CHANGES_SINK,
        topics.changes(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        DECODE);
    t.addSink(
        DEAD_LETTER_SINK,
        topics.deadLetter(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        DECODE);

    t.addSource(
        CHANGES_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.changes());
    t.addProcessor(
        JUDGE,
        () ->
            new Judge(
                evaluator,
                reverts,
                scoped,
                metrics,
                mapper,
                handOver,
                config.ingest().dedupWindow(),
                config.ingest().dedupMaxEntries(),
                config.ingest().stageWait(),
                config.stream().tick(),
                dns.splitBrain().checkEvery()),
        CHANGES_SOURCE);
    t.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(DEDUP_STORE), Serdes.String(), Serdes.Long()),
        JUDGE);
    t.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(DEDUP_BY_TIME_STORE),
            Serdes.String(),
            Serdes.ByteArray()),
        JUDGE);
    t.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STAGES_STORE), Serdes.String(), Serdes.ByteArray()),
        JUDGE);
    t.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(FACTS_STORE), Serdes.String(), Serdes.ByteArray()),
        JUDGE);
    t.addSink(
        DECISIONS_SINK,
        topics.decisions(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        JUDGE);
    t.addSink(
        JUDGE_DEAD_LETTER_SINK,
        topics.deadLetter(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        JUDGE);
    return t;
  }
}
