package dev.portcullis.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.ingest.KafkaSend;
import dev.portcullis.ingest.OutputChannels;
import dev.portcullis.protect.GuardObservations;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Writes the guard's observations to the changes topic, keyed by the bucket's scope, so the judge
 * that owns the bucket records them in its state. A write that fails is logged; the guard tells
 * again when the object's status next changes.
 */
@ApplicationScoped
public class StreamObservations implements GuardObservations {

  private static final Logger LOG = Logger.getLogger(StreamObservations.class);

  private final Emitter<byte[]> out;
  private final ObjectMapper mapper;

  @Inject
  public StreamObservations(
      @Channel(OutputChannels.OBSERVATIONS_OUT)
          @OnOverflow(
              value = OnOverflow.Strategy.BUFFER,
              bufferSize = OutputChannels.EMITTER_BUFFER)
          Emitter<byte[]> out,
      ObjectMapper mapper) {
    this.out = out;
    this.mapper = mapper;
  }

  @Override
  public void seen(String bucket, String key, boolean present, Instant at) {
    ChangeRecord r =
        ChangeRecord.observation(new ChangeRecord.Observation(bucket, key, present, at));
    KafkaSend.send(
            out,
            Message.of(r.write(mapper))
                .addMetadata(
                    OutgoingKafkaRecordMetadata.<String>builder().withKey(r.scope()).build()))
        .whenComplete(
            (ok, t) -> {
              if (t != null) {
                LOG.errorf(t, "The guard's observation of s3://%s/%s was not written", bucket, key);
              }
            });
  }
}
