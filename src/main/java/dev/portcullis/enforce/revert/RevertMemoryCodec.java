package dev.portcullis.enforce.revert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.enrich.StateCodec;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * {@link RevertMemory} as JSON: {@code {"recorded":{"<revert id>":"done",...},
 * "iac":{"<key>":["<instant>",...]}}}, in least-recently-used order so the bound forgets the same
 * entries after a restart.
 */
public final class RevertMemoryCodec implements StateCodec<RevertMemory> {

  public static final String NAME = "reverts";

  @Override
  public Class<RevertMemory> kind() {
    return RevertMemory.class;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public JsonNode write(RevertMemory m) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    ObjectNode rec = n.putObject("recorded");
    m.recorded.forEach(rec::put);
    ObjectNode iac = n.putObject("iac");
    for (Map.Entry<String, Deque<Instant>> e : m.iacTimes.entrySet()) {
      ArrayNode times = iac.putArray(e.getKey());
      e.getValue().forEach(t -> times.add(t.toString()));
    }
    return n;
  }

  @Override
  public RevertMemory read(JsonNode json) {
    RevertMemory m = new RevertMemory();
    for (Iterator<Map.Entry<String, JsonNode>> it = json.path("recorded").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.recorded.put(e.getKey(), e.getValue().asText());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = json.path("iac").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Deque<Instant> times = new ArrayDeque<>();
      e.getValue().forEach(t -> times.addLast(Instant.parse(t.asText())));
      m.iacTimes.put(e.getKey(), times);
    }
    return m;
  }

  @Override
  public boolean isEmpty(RevertMemory m) {
    return m.isEmpty();
  }
}
