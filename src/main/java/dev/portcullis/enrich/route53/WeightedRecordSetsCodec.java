package dev.portcullis.enrich.route53;

import static dev.portcullis.enrich.StateJson.NODES;
import static dev.portcullis.enrich.StateJson.instant;
import static dev.portcullis.enrich.StateJson.put;
import static dev.portcullis.enrich.StateJson.requiredInstant;
import static dev.portcullis.enrich.StateJson.requiredText;
import static dev.portcullis.enrich.StateJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.enrich.StateCodec;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@link WeightedRecordSets} as JSON ({@code weights}): every group, least recently used first (so
 * the state read back forgets the same group first).
 *
 * <pre>
 * {"groups": [
 *   {"zoneId": "Z123", "name": "api.example.com.", "type": "A", "complete": true,
 *    "members": [{"setIdentifier": "blue", "weight": 10, "target": "192.0.2.1",
 *                 "asOf": "2026-11-24T10:00:00Z", "eventId": "..."}, ...],
 *    "before": {"weights": {"blue": 10, "green": 0}, "unknown": ["red"],
 *               "asOf": "...", "eventId": "..."},
 *    "after": {...}}]}
 * </pre>
 *
 * <p>A deleted member has no {@code weight}; a group without a recorded change has no {@code
 * before} or {@code after}. The state read back has the default bound ({@link
 * WeightedRecordSets#DEFAULT_MAX_ENTRIES}); its count of forgotten groups starts at zero.
 */
public final class WeightedRecordSetsCodec implements StateCodec<WeightedRecordSets> {

  @Override
  public Class<WeightedRecordSets> kind() {
    return WeightedRecordSets.class;
  }

  @Override
  public String name() {
    return "weights";
  }

  @Override
  public JsonNode write(WeightedRecordSets state) {
    ObjectNode root = NODES.objectNode();
    ArrayNode groups = root.putArray("groups");
    for (WeightedRecordSets.EntrySnapshot e : state.entries()) {
      ObjectNode g = groups.addObject();
      g.put("zoneId", e.key().zoneId());
      g.put("name", e.key().name());
      g.put("type", e.key().type());
      g.put("complete", e.complete());
      ArrayNode members = g.putArray("members");
      for (WeightedRecordSets.Member m : e.members().values()) {
        ObjectNode n = members.addObject();
        n.put("setIdentifier", m.setIdentifier());
        if (m.weight() != null) {
          n.put("weight", m.weight().longValue());
        }
        put(n, "target", m.target());
        put(n, "asOf", m.asOf());
        put(n, "eventId", m.eventId());
      }
      if (e.before() != null) {
        g.set("before", snapshot(e.before()));
      }
      if (e.after() != null) {
        g.set("after", snapshot(e.after()));
      }
    }
    return root;
  }

  private static ObjectNode snapshot(WeightedRecordSets.Snapshot s) {
    ObjectNode n = NODES.objectNode();
    if (s.weights() != null) {
      ObjectNode weights = n.putObject("weights");
      s.weights().forEach((member, w) -> weights.put(member, w));
    }
    if (s.unknown() != null) {
      ArrayNode unknown = n.putArray("unknown");
      new TreeSet<>(s.unknown()).forEach(unknown::add);
    }
    put(n, "asOf", s.asOf());
    put(n, "eventId", s.eventId());
    return n;
  }

  @Override
  public WeightedRecordSets read(JsonNode json) {
    WeightedRecordSets state = new WeightedRecordSets();
    for (JsonNode g : json.path("groups")) {
      Map<String, WeightedRecordSets.Member> members = new TreeMap<>();
      for (JsonNode m : g.path("members")) {
        JsonNode weight = m.get("weight");
        String id = requiredText(m, "setIdentifier");
        members.put(
            id,
            new WeightedRecordSets.Member(
                id,
                weight == null || weight.isNull() ? null : weight.asLong(),
                text(m, "target"),
                requiredInstant(m, "asOf"),
                text(m, "eventId")));
      }
      state.restore(
          new WeightedRecordSets.EntrySnapshot(
              new RecordSetKey(
                  requiredText(g, "zoneId"), requiredText(g, "name"), requiredText(g, "type")),
              members,
              g.path("complete").asBoolean(false),
              snapshot(g.get("before")),
              snapshot(g.get("after"))));
    }
    return state;
  }

  private static WeightedRecordSets.Snapshot snapshot(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    Map<String, Long> weights = null;
    JsonNode w = n.get("weights");
    if (w != null && !w.isNull()) {
      weights = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        weights.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asLong());
      }
      weights = Collections.unmodifiableMap(weights);
    }
    Set<String> unknown = null;
    JsonNode u = n.get("unknown");
    if (u != null && !u.isNull()) {
      Set<String> names = new TreeSet<>();
      u.forEach(v -> names.add(v.asText()));
      unknown = Collections.unmodifiableSet(names);
    }
    return new WeightedRecordSets.Snapshot(
        weights, unknown, instant(n, "asOf"), text(n, "eventId"));
  }

  @Override
  public boolean isEmpty(WeightedRecordSets state) {
    return state.size() == 0;
  }
}
