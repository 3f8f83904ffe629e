package dev.portcullis.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enforce.revert.Reverts;
import dev.portcullis.enrich.route53.PendingMirrorsCodec;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventTimes;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.KubernetesAuditParser;
import dev.portcullis.ingest.PipelineMetrics;
import dev.portcullis.inventory.InventoryRecords;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.protect.ProtectionState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * The stateful half of the stream: one per partition of the changes topic. Consumes change records
 * keyed by scope ({@link Scopes}) and writes exactly one decision record per change event to the
 * decisions topic (keyed by event id), the records of any revert the decision asks for, and
 * decisions that fall due later (a DNS mirror that never came). Everything it remembers is in three
 * state stores backed by changelog topics, committed with its output in one transaction
 * (exactly_once_v2):
 *
 * <ul>
 *   <li>{@value TopologyProducer#DEDUP_STORE} and {@value TopologyProducer#DEDUP_BY_TIME_STORE}:
 *       event ids already decided, with their event time, and the same in time order ({@link
 *       DedupMemory}: a second delivery is dropped while it is within the dedup window);
 *   <li>{@value TopologyProducer#STAGES_STORE}: Kubernetes {@code RequestReceived} stages waiting
 *       for the final stage of their request (decided alone once {@code stage-wait} has passed);
 *   <li>{@value TopologyProducer#FACTS_STORE}: what the fact providers and reverts learned, per
 *       scope and kind ({@link ScopedState}).
 * </ul>
 *
 * Nothing here stops the stream: an event the policies cannot evaluate is dead-lettered.
 */
final class Judge implements Processor<byte[], byte[], byte[], byte[]> {

  private static final Logger LOG = Logger.getLogger(Judge.class);

  /** Reason code of a record of the changes topic that Portcullis cannot read. */
  static final String INVALID_CHANGE_RECORD = "invalid-change-record";

  /** Ids forgotten at most per tick and partition (a backlog of them is spread over ticks). */
  static final int FORGET_PER_TICK = 5_000;

  private final ChangeEvaluator evaluator;
  private final Reverts reverts;
  private final ScopedState scoped;
  private final PipelineMetrics metrics;
  private final ObjectMapper mapper;
  private final HandOver handOver;
  private final Duration dedupWindow;
  private final int dedupMaxEntries;
  private final Duration stageWait;
  private final Duration tick;
  private final Duration dueEvery;

  private ProcessorContext<byte[], byte[]> context;
  private DedupMemory dedup;
  private KeyValueStore<String, byte[]> stages;
  private KeyValueStore<String, byte[]> facts;

  Judge(
      ChangeEvaluator evaluator,
      Reverts reverts,
      ScopedState scoped,
      PipelineMetrics metrics,
      ObjectMapper mapper,
      HandOver handOver,
      Duration dedupWindow,
      int dedupMaxEntries,
      Duration stageWait,
      Duration tick,
      Duration dueEvery) {
    this.evaluator = evaluator;
    this.reverts = reverts;
    this.scoped = scoped;
    this.metrics = metrics;
    this.mapper = mapper;
    this.handOver = handOver;
    this.dedupWindow = dedupWindow;
    this.dedupMaxEntries = dedupMaxEntries;
    this.stageWait = stageWait;
    this.tick = tick;
    this.dueEvery = dueEvery;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.dedup =
        new DedupMemory(
            context.getStateStore(TopologyProducer.DEDUP_STORE),
            context.getStateStore(TopologyProducer.DEDUP_BY_TIME_STORE),
            dedupWindow.toMillis(),
            dedupMaxEntries);
    this.dedup.open();
    this.stages = context.getStateStore(TopologyProducer.STAGES_STORE);
    this.facts = context.getStateStore(TopologyProducer.FACTS_STORE);
    context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::stagesDue);
    context.schedule(dueEvery, PunctuationType.WALL_CLOCK_TIME, this::decisionsDue);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    // Written by this process a moment ago: the event it decoded, else the record parsed.
    ChangeRecord r = handOver.take(record.headers());
    metrics.handedOver(r != null);
    if (r == null) {
      try {
        r = ChangeRecord.read(record.value(), mapper);
      } catch (RuntimeException ex) {
        invalid(record, "not a change record: " + ex.getMessage());
        return;
      }
    }
    if (r.observation() != null) {
      observe(r);
      return;
    }
    if (r.inventory() != null) {
      try {
        ScopedState.Loaded state = scoped.load(facts, r.scope());
        InventoryRecords.apply(r.inventory(), state.store());
        scoped.save(facts, state);
      } catch (RuntimeException ex) {
        invalid(record, "not an inventory reading: " + ex.getMessage());
      }
      return;
    }
    ChangeEvent e = r.event();
    if (ChangeEvent.K8S_AUDIT.equals(e.getSource())
        && KubernetesAuditParser.isPreliminaryStage(e.getOutcome().getStage())) {
      if (dedup.known(e.getId()) || stages.get(e.getId()) != null) {
        metrics.duplicate(e.getSource());
        return;
      }
      stages.put(e.getId(), park(record.value(), context.currentSystemTimeMs()));
      return;
    }
    if (ChangeEvent.K8S_AUDIT.equals(e.getSource())) {
      stages.delete(e.getId()); // the final stage decides the request
    }
    if (!claim(e)) {
      metrics.duplicate(e.getSource());
      return;
    }
    decide(r);
  }

  /** Dead-letters a record of the changes topic that cannot be used. */
  private void invalid(Record<byte[], byte[]> record, String message) {
    // Only Portcullis writes this topic; say so loudly, but never stop the stream for it.
    LOG.errorf("A record of the changes topic is unusable (%s): dead-lettered", message);
    RecordHeaders h = new RecordHeaders();
    ChangeRecord.Origin where =
        context
            .recordMetadata()
            .map(m -> new ChangeRecord.Origin(m.topic(), m.partition(), m.offset()))
            .orElse(null);
    DeadLetterHeaders.add(h, INVALID_CHANGE_RECORD, message, null, where);
    context.forward(
        new Record<>(record.key(), record.value(), context.currentSystemTimeMs(), h),
        TopologyProducer.JUDGE_DEAD_LETTER_SINK);
    metrics.deadLetter(INVALID_CHANGE_RECORD);
  }

  /**
   * Remembers an event id; false when it was decided already. The id is kept for the dedup window
   * after the later of its event time and the stream's newest event time when it was decided, so an
   * old event delivered again, or a late stage of an old request, is still known as decided.
   */
  private boolean claim(ChangeEvent e) {
    return dedup.claim(
        e.getId(), EventTimes.forWatermark(e.getEventTime(), Instant.now()).toEpochMilli());
  }

  private void decide(ChangeRecord r) {
    ChangeEvent e = r.event();
    ScopedState.Loaded state;
    DecisionRecord decision;
    byte[] json;
    List<Reverts.Job> jobs;
    try {
      state = scoped.load(facts, r.scope());
      decision = evaluator.evaluate(e, r.arrival(), state.store(), true);
      json = mapper.writeValueAsBytes(decision);
      jobs = reverts.prepare(e, decision, state.store());
    } catch (RuntimeException | JsonProcessingException ex) {
      LOG.warnf(
          "Policies could not evaluate event %s from %s: %s",
          e.getId(), r.origin() == null ? "the stream" : r.origin().describe(), ex);
      deadLetter(
          r,
          TopologyProducer.EVALUATION_ERROR,
          "event " + e.getId() + " could not be evaluated: " + ex);
      return;
    }
    int size = e.getId().getBytes(StandardCharsets.UTF_8).length + json.length;
    if (size > TopologyProducer.MAX_RECORD_BYTES) {
      // Written, it would fail the producer and stop the stream on this event at every restart.
      deadLetter(
          r,
          InvalidEventException.TOO_LARGE,
          "the decision record of event "
              + Decode.cut(e.getId(), 200)
              + " is "
              + size
              + " bytes, more than the stream writes ("
              + TopologyProducer.MAX_RECORD_BYTES
              + ")");
      return;
    }
    send(TopologyProducer.DECISIONS_SINK, e.getId(), json, inputHeaders(r.origin()));
    evaluator.count(decision);
    if (r.origin() != null && ChangeRecord.VIA_LOOKUP.equals(r.origin().via())) {
      // The stream never delivered it (else its id would be known): a gap the lookup filled.
      metrics.backfilled(e.getSource());
      LOG.infof(
          "Backfilled %s %s at %s: the stream had not delivered it",
          e.getAction(), e.getId(), e.getEventTime());
    }
    Instant now = Instant.now();
    metrics.decided(Duration.between(e.getEventTime(), now), Duration.between(r.arrival(), now));
    for (DecisionRecord revert : reverts.run(jobs, state.store())) {
      write(revert, inputHeaders(r.origin()));
    }
    scoped.save(facts, state);
  }

  private void observe(ChangeRecord r) {
    ChangeRecord.Observation o = r.observation();
    ScopedState.Loaded state = scoped.load(facts, r.scope());
    ProtectionState ps = state.store().of(ProtectionState.class, ProtectionState::new);
    if (o.present()) {
      ps.keyPresent(o.bucket(), o.key(), o.at(), ProtectionState.Seen.GUARDED);
    } else {
      ps.keyDeleted(o.bucket(), o.key(), o.at());
    }
    scoped.save(facts, state);
  }

  /** Writes a decision record made here; counted once written into the transaction. */
  private void write(DecisionRecord d, RecordHeaders headers) {
    try {
      byte[] json = mapper.writeValueAsBytes(d);
      if (json.length + d.eventId().length() > TopologyProducer.MAX_RECORD_BYTES) {
        LOG.errorf(
            "The decision record %s is %d bytes, more than the stream writes: not written",
            Decode.cut(d.eventId(), 200), json.length);
        metrics.deadLetter(InvalidEventException.TOO_LARGE);
        return;
      }
      send(TopologyProducer.DECISIONS_SINK, d.eventId(), json, headers);
      evaluator.count(d);
    } catch (JsonProcessingException ex) {
      LOG.errorf(ex, "The decision record %s could not be written", d.eventId());
    }
  }

  private void send(String sink, String key, byte[] value, RecordHeaders headers) {
    context.forward(
        new Record<>(
            key.getBytes(StandardCharsets.UTF_8), value, context.currentSystemTimeMs(), headers),
        sink);
  }

  /**
   * The coordinates of the input record a decision comes from ({@value
   * TopologyProducer#INPUT_TOPIC_HEADER}, {@value TopologyProducer#INPUT_PARTITION_HEADER}, {@value
   * TopologyProducer#INPUT_OFFSET_HEADER}), so every decision can be traced back to what was read;
   * none for a record whose input is unknown (the guard's, a decision that fell due later).
   */
  static RecordHeaders inputHeaders(ChangeRecord.Origin origin) {
    RecordHeaders h = new RecordHeaders();
    if (origin != null) {
      h.add(TopologyProducer.INPUT_TOPIC_HEADER, origin.topic().getBytes(StandardCharsets.UTF_8));
      h.add(
          TopologyProducer.INPUT_PARTITION_HEADER,
          String.valueOf(origin.partition()).getBytes(StandardCharsets.UTF_8));
      h.add(
          TopologyProducer.INPUT_OFFSET_HEADER,
          String.valueOf(origin.offset()).getBytes(StandardCharsets.UTF_8));
    }
    return h;
  }

  private void deadLetter(ChangeRecord r, String code, String reason) {
    byte[] raw;
    try {
      raw = mapper.writeValueAsBytes(r.event().getRaw());
    } catch (JsonProcessingException x) {
      raw = new byte[0];
    }
    RecordHeaders h = new RecordHeaders();
    DeadLetterHeaders.add(h, code, reason, null, r.origin());
    context.forward(
        new Record<>(
            r.event().getId().getBytes(StandardCharsets.UTF_8),
            raw,
            context.currentSystemTimeMs(),
            h),
        TopologyProducer.JUDGE_DEAD_LETTER_SINK);
    metrics.deadLetter(code);
  }

  // ---- audit stages waiting for their final stage ----

  private static byte[] park(byte[] record, long now) {
    return ByteBuffer.allocate(8 + record.length).putLong(now).put(record).array();
  }

  private void stagesDue(long now) {
    List<KeyValue<String, byte[]>> due = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = stages.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        long parkedAt = ByteBuffer.wrap(kv.value).getLong();
        if (now - parkedAt >= stageWait.toMillis()) {
          due.add(kv);
        }
      }
    }
    for (KeyValue<String, byte[]> kv : due) {
      stages.delete(kv.key);
      byte[] bytes = new byte[kv.value.length - 8];
      System.arraycopy(kv.value, 8, bytes, 0, bytes.length);
      ChangeRecord r = ChangeRecord.read(bytes, mapper);
      if (claim(r.event())) {
        decide(r); // a preliminary stage whose final stage did not come: decided on what it says
      }
    }
    dedup.forget(FORGET_PER_TICK);
  }

  // ---- decisions that fall due later ----

  private void decisionsDue(long now) {
    List<String> scopes = new ArrayList<>();
    // Changes wait for their mirror only in the scopes of paired zones.
    try (KeyValueIterator<String, byte[]> it =
        facts.prefixScan(Scopes.ROUTE53_PAIRS, new StringSerializer())) {
      while (it.hasNext()) {
        String key = it.next().key;
        if (key.endsWith("|" + PendingMirrorsCodec.NAME)) {
          scopes.add(ScopedState.scopeOf(key));
        }
      }
    }
    for (String scope : scopes) {
      ScopedState.Loaded state;
      List<DecisionRecord> due;
      try {
        state = scoped.load(facts, scope);
        due = evaluator.due(state.store(), Instant.ofEpochMilli(now));
      } catch (RuntimeException ex) {
        LOG.errorf(ex, "Could not judge the decisions that fell due in %s", scope);
        metrics.deferred(false);
        continue;
      }
      for (DecisionRecord d : due) {
        write(d, new RecordHeaders());
        metrics.deferred(true);
      }
      scoped.save(facts, state);
    }
  }
}
