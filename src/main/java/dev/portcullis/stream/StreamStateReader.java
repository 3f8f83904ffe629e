package dev.portcullis.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.StateReader;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.policy.ChangeEvaluator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The state a dry run ({@code POST /v1/evaluate}, admission) judges by: the event's scope as this
 * instance's facts store holds it (interactive queries on the local store). With several instances
 * only the owner of the scope's partition holds it; the others answer with no learned state, as
 * does an instance whose stream is not running yet.
 */
@ApplicationScoped
public class StreamStateReader implements StateReader {

  private final Instance<KafkaStreams> streams;
  private final Instance<ChangeEvaluator> evaluator;
  private final ScopedState scoped;

  @Inject
  public StreamStateReader(
      Instance<KafkaStreams> streams, Instance<ChangeEvaluator> evaluator, ObjectMapper mapper) {
    this.streams = streams;
    this.evaluator = evaluator;
    this.scoped = new ScopedState(StreamStateCodecs.all(), mapper);
  }

  @Override
  public StateStore read(ChangeEvent event) {
    if (!streams.isResolvable()) {
      return new StateStore();
    }
    try {
      KafkaStreams s = streams.get();
      if (s.state() != KafkaStreams.State.RUNNING) {
        return new StateStore();
      }
      ReadOnlyKeyValueStore<String, byte[]> facts =
          s.store(
              StoreQueryParameters.fromNameAndType(
                  TopologyProducer.FACTS_STORE,
                  QueryableStoreTypes.<String, byte[]>keyValueStore()));
      String scope = Scopes.of(evaluator.get().parameters()).of(event);
      return scoped.load(facts, scope).store();
    } catch (InvalidStateStoreException e) {
      return new StateStore(); // rebalancing: no state this moment
    }
  }
}
