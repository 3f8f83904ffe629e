package dev.portcullis.enrich.route53;

import static dev.portcullis.enrich.StateJson.NODES;
import static dev.portcullis.enrich.StateJson.put;
import static dev.portcullis.enrich.StateJson.requiredInstant;
import static dev.portcullis.enrich.StateJson.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.enrich.StateCodec;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.ChangeEventCodec;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PendingMirrors} as JSON ({@code mirrors}): the changes waiting for their mirror and the
 * changes decided overdue that are still remembered, each list by relative name, with the events
 * they came from.
 *
 * <pre>
 * {"events": [{...}, ...],
 *  "waiting": {"api": [
 *    {"pair": {"a": {"zoneId": "Z0BLUE", "apex": "blue.k8s.example.com."},
 *              "b": {"zoneId": "Z0BALANCER", "apex": "example.com."}},
 *     "changed": {"zoneId": "Z0BLUE", "apex": "blue.k8s.example.com."},
 *     "other": {"zoneId": "Z0BALANCER", "apex": "example.com."},
 *     "relative": "api", "name": "api.blue.k8s.example.com.", "type": "A", "action": "CREATE",
 *     "time": "2026-11-24T10:00:00Z", "seenAt": "2026-11-24T10:03:12.5Z", "event": 0}, ...]},
 *  "decided": {...}}
 * </pre>
 *
 * <p>Each event is written once, with {@link ChangeEventCodec}, in {@code events}, and a change
 * names it by its place there: one {@code ChangeResourceRecordSets} batch of many changes is one
 * event, and the changes read back share it as the originals did. The pair's id is not written (it
 * follows from its sides). The state read back has the default clock and bound ({@link
 * PendingMirrors#DEFAULT_MAX_ENTRIES}), its count of waiting changes is recomputed, and its count
 * of dropped changes starts at zero.
 */
public final class PendingMirrorsCodec implements StateCodec<PendingMirrors> {

  @Override
  public Class<PendingMirrors> kind() {
    return PendingMirrors.class;
  }

  /** The name of this kind of state. */
  public static final String NAME = "mirrors";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public JsonNode write(PendingMirrors state) {
    Map<String, List<PendingMirrors.Pending>> waiting;
    Map<String, List<PendingMirrors.Pending>> decided;
    synchronized (state) { // one consistent view of both
      waiting = state.waiting();
      decided = state.decided();
    }
    ObjectNode root = NODES.objectNode();
    ArrayNode events = root.putArray("events");
    Map<ChangeEvent, Integer> index = new IdentityHashMap<>();
    root.set("waiting", changes(waiting, events, index));
    root.set("decided", changes(decided, events, index));
    return root;
  }

  private static ObjectNode changes(
      Map<String, List<PendingMirrors.Pending>> byName,
      ArrayNode events,
      Map<ChangeEvent, Integer> index) {
    ObjectNode out = NODES.objectNode();
    byName.forEach(
        (relative, list) -> {
          ArrayNode a = out.putArray(relative);
          for (PendingMirrors.Pending p : list) {
            ObjectNode n = a.addObject();
            ObjectNode pair = n.putObject("pair");
            pair.set("a", side(p.pair().a()));
            pair.set("b", side(p.pair().b()));
            n.set("changed", side(p.changed()));
            n.set("other", side(p.other()));
            n.put("relative", p.relative());
            n.put("name", p.name());
            n.put("type", p.type());
            n.put("action", p.action());
            put(n, "time", p.time());
            put(n, "seenAt", p.seenAt());
            n.put(
                "event",
                index.computeIfAbsent(
                    p.event(),
                    e -> {
                      events.add(ChangeEventCodec.write(e));
                      return events.size() - 1;
                    }));
          }
        });
    return out;
  }

  private static ObjectNode side(ZonePairs.Side s) {
    ObjectNode n = NODES.objectNode();
    n.put("zoneId", s.zoneId());
    n.put("apex", s.apex());
    return n;
  }

  @Override
  public PendingMirrors read(JsonNode json) {
    List<ChangeEvent> events = new ArrayList<>();
    json.path("events").forEach(e -> events.add(ChangeEventCodec.read(e)));
    PendingMirrors state = new PendingMirrors();
    state.restore(changes(json.path("waiting"), events), changes(json.path("decided"), events));
    return state;
  }

  private static List<PendingMirrors.Pending> changes(JsonNode byName, List<ChangeEvent> events) {
    List<PendingMirrors.Pending> out = new ArrayList<>();
    for (JsonNode list : byName) {
      for (JsonNode n : list) {
        JsonNode e = n.get("event");
        if (e == null || !e.canConvertToInt() || e.asInt() < 0 || e.asInt() >= events.size()) {
          throw new IllegalArgumentException("stored mirror names no stored event: " + e);
        }
        out.add(
            new PendingMirrors.Pending(
                new ZonePairs.Pair(side(n.path("pair").path("a")), side(n.path("pair").path("b"))),
                side(n.path("changed")),
                side(n.path("other")),
                requiredText(n, "relative"),
                requiredText(n, "name"),
                requiredText(n, "type"),
                requiredText(n, "action"),
                requiredInstant(n, "time"),
                requiredInstant(n, "seenAt"),
                events.get(e.asInt())));
      }
    }
    return out;
  }

  private static ZonePairs.Side side(JsonNode n) {
    return new ZonePairs.Side(requiredText(n, "zoneId"), requiredText(n, "apex"));
  }

  @Override
  public boolean isEmpty(PendingMirrors state) {
    return state.isEmpty();
  }
}
