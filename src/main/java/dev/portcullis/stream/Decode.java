package dev.portcullis.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.DecodedBatch;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.StageCoalescing;
import dev.portcullis.ingest.DeadLetters;
import dev.portcullis.ingest.PipelineMetrics;
import dev.portcullis.policy.ChangeEvaluator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

/**
 * The stateless half of the stream: reads the input topics (CloudTrail and Kubernetes audit, any
 * shape {@link EventDecoder} accepts), writes each change event to the changes topic keyed by its
 * scope ({@link Scopes}), and every part it cannot decode to the dead-letter topic with the reason
 * and the input's coordinates (secret material removed). The audit stages of one request that came
 * in one batch are coalesced here; stages across records meet in the {@link Judge}.
 */
final class Decode implements Processor<byte[], byte[], byte[], byte[]> {

  private static final Logger LOG = Logger.getLogger(Decode.class);

  private final EventDecoder decoder;
  private final ChangeEvaluator evaluator;
  private final PipelineMetrics metrics;
  private final ObjectMapper mapper;
  private final HandOver handOver;
  private ProcessorContext<byte[], byte[]> context;

  /** The scopes of the parameters in force, worked out again only when they change. */
  private Map<String, JsonNode> scopesOf;

  private Scopes scopes;

  Decode(
      EventDecoder decoder,
      ChangeEvaluator evaluator,
      PipelineMetrics metrics,
      ObjectMapper mapper,
      HandOver handOver) {
    this.decoder = decoder;
    this.evaluator = evaluator;
    this.metrics = metrics;
    this.mapper = mapper;
    this.handOver = handOver;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    org.apache.kafka.common.header.Header viaHeader =
        record.headers() == null ? null : record.headers().lastHeader(ChangeRecord.VIA_HEADER);
    String via =
        viaHeader == null || viaHeader.value() == null
            ? null
            : new String(viaHeader.value(), StandardCharsets.UTF_8);
    ChangeRecord.Origin origin =
        context
            .recordMetadata()
            .map(m -> new ChangeRecord.Origin(m.topic(), m.partition(), m.offset(), via))
            .orElse(null);
    long ts = record.timestamp();
    Instant arrival = ts > 0 ? Instant.ofEpochMilli(ts) : Instant.now();
    try {
      DecodedBatch batch = decoder.decode(record.value(), arrival);
      for (DecodedBatch.Rejected r : batch.rejected()) {
        deadLetter(record, origin, r.reason(), r.message(), r.location(), r.field(), r.payload());
      }
      Map<String, JsonNode> parameters = evaluator.parameters();
      if (parameters != scopesOf) {
        scopes = Scopes.of(parameters);
        scopesOf = parameters;
      }
      for (ChangeEvent e : StageCoalescing.coalesce(batch.events())) {
        metrics.consumed(e.getSource());
        String scope = scopes.of(e);
        byte[] key = scope.getBytes(StandardCharsets.UTF_8);
        ChangeRecord change = ChangeRecord.event(scope, e, arrival, origin);
        byte[] value = change.write(mapper);
        if (key.length + value.length > TopologyProducer.MAX_RECORD_BYTES) {
          deadLetter(
              record,
              origin,
              InvalidEventException.TOO_LARGE,
              "event "
                  + cut(e.getId(), 200)
                  + " is "
                  + (key.length + value.length)
                  + " bytes as a change record, more than the stream writes ("
                  + TopologyProducer.MAX_RECORD_BYTES
                  + ")",
              null,
              null,
              raw(e));
          continue;
        }
        RecordHeaders headers = new RecordHeaders();
        byte[] token = handOver.offer(change, context.currentSystemTimeMs());
        if (token != null) {
          headers.add(HandOver.HEADER, token);
        }
        context.forward(new Record<>(key, value, ts, headers), TopologyProducer.CHANGES_SINK);
      }
    } catch (InvalidEventException e) {
      deadLetter(
          record,
          origin,
          e.reason(),
          e.getMessage(),
          null,
          e.field(),
          DeadLetters.scrub(record.value(), mapper));
    } catch (RuntimeException e) {
      LOG.errorf(
          e, "Unexpected failure decoding %s", origin == null ? "a record" : origin.describe());
      deadLetter(
          record,
          origin,
          InvalidEventException.INVALID_RECORD,
          "unexpected failure: " + e,
          null,
          null,
          DeadLetters.scrub(record.value(), mapper));
    }
  }

  private void deadLetter(
      Record<byte[], byte[]> in,
      ChangeRecord.Origin origin,
      String code,
      String reason,
      String location,
      String field,
      byte[] payload) {
    RecordHeaders h = new RecordHeaders();
    int room = TopologyProducer.MAX_RECORD_BYTES - (in.key() == null ? 0 : in.key().length);
    if (payload.length > room) {
      // Secret material is already out; what is cut is only more of the same input.
      payload = Arrays.copyOf(payload, Math.max(0, room));
      reason = reason + " (the dead letter holds its first " + payload.length + " bytes)";
    }
    DeadLetterHeaders.add(h, code, reason, location, field, origin);
    context.forward(
        new Record<>(in.key(), payload, context.currentSystemTimeMs(), h),
        TopologyProducer.DEAD_LETTER_SINK);
    metrics.deadLetter(code);
  }

  private byte[] raw(ChangeEvent e) {
    try {
      return mapper.writeValueAsBytes(e.getRaw());
    } catch (JsonProcessingException | RuntimeException x) {
      return new byte[0];
    }
  }

  static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
