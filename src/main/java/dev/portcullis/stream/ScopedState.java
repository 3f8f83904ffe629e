package dev.portcullis.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.EventTimeWatermark;
import dev.portcullis.enrich.StateCodec;
import dev.portcullis.enrich.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

/**
 * Reads the learned state of one scope from the facts store into a {@link StateStore} the fact
 * providers and reverts work on, and writes back what changed. Store keys are {@code
 * <scope>|<kind>} ({@code s3:etcd-backups|protection}); the partition's event-time watermark is
 * kept under {@code ~partition|watermark}, as it belongs to the whole partition, not to one scope.
 * An entry whose state holds nothing is deleted. Not thread-safe: one per stream task.
 */
public final class ScopedState {

  private static final Logger LOG = Logger.getLogger(ScopedState.class);

  /** The key prefix of state that belongs to the partition rather than to a scope. */
  static final String PARTITION = "~partition";

  private final List<StateCodec<?>> codecs;
  private final ObjectMapper mapper;

  public ScopedState(List<StateCodec<?>> codecs, ObjectMapper mapper) {
    this.codecs = List.copyOf(codecs);
    this.mapper = mapper;
  }

  /** A scope's state as it was loaded, to tell what changed when it is saved. */
  public static final class Loaded {
    final String scope;
    final StateStore store;
    final Map<String, byte[]> original;

    Loaded(String scope, StateStore store, Map<String, byte[]> original) {
      this.scope = scope;
      this.store = store;
      this.original = original;
    }

    public StateStore store() {
      return store;
    }
  }

  static String key(String scope, StateCodec<?> codec) {
    String owner = codec.kind() == EventTimeWatermark.class ? PARTITION : scope;
    return owner + "|" + codec.name();
  }

  /** The scope part of a store key. */
  static String scopeOf(String storeKey) {
    int bar = storeKey.lastIndexOf('|');
    return bar < 0 ? storeKey : storeKey.substring(0, bar);
  }

  /** Loads a scope's state (and the partition's) from a writable or read-only store. */
  public Loaded load(ReadOnlyKeyValueStore<String, byte[]> facts, String scope) {
    Map<Class<?>, Object> objects = new HashMap<>();
    Map<String, byte[]> original = new LinkedHashMap<>();
    for (StateCodec<?> c : codecs) {
      String key = key(scope, c);
      byte[] bytes = facts.get(key);
      if (bytes != null) {
        original.put(key, bytes);
        objects.put(c.kind(), read(c, bytes));
      }
    }
    return new Loaded(scope, new StateStore(objects), original);
  }

  private Object read(StateCodec<?> c, byte[] bytes) {
    try {
      return c.read(mapper.readTree(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("state " + c.name() + " is not JSON", e);
    }
  }

  /** Writes back every kind whose JSON changed; deletes kinds left empty. */
  public void save(KeyValueStore<String, byte[]> facts, Loaded loaded) {
    for (StateCodec<?> c : codecs) {
      Object state = loaded.store.peek(c.kind());
      if (state == null) {
        continue;
      }
      String key = key(loaded.scope, c);
      byte[] before = loaded.original.get(key);
      if (empty(c, state)) {
        if (before != null) {
          facts.delete(key);
        }
        continue;
      }
      byte[] after = write(c, state);
      if (key.length() + after.length > TopologyProducer.MAX_RECORD_BYTES) {
        // Its changelog record would fail the producer and stop the stream: keep what was there.
        LOG.errorf(
            "The %s state of %s is %d bytes, more than the stream writes: not saved",
            c.name(), Decode.cut(loaded.scope, 200), after.length);
        continue;
      }
      if (before == null || !Arrays.equals(before, after)) {
        facts.put(key, after);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> boolean empty(StateCodec<T> c, Object state) {
    return c.isEmpty((T) state);
  }

  @SuppressWarnings("unchecked")
  private <T> byte[] write(StateCodec<T> c, Object state) {
    JsonNode json = c.write((T) state);
    try {
      return mapper.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
