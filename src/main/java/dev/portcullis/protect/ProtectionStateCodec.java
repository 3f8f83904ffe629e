package dev.portcullis.protect;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ProtectionState} as JSON ({@code protection}): every bucket by name, with what is known of
 * it.
 *
 * <pre>
 * {"buckets": {
 *   "my-bucket": {
 *     "firstSeen": "2026-11-20T10:00:00Z",
 *     "keys": [{"key": "a/b", "written": "...", "deleted": "...", "how": "WRITTEN"}, ...],
 *     "clusterRoots": {"": "...", "prod.example.com": "..."},
 *     "lifecycle": [{"configuration": {...}, "at": "...", "eventId": "..."}, ...]}}}
 * </pre>
 *
 * <p>Keys in the order first seen, lifecycle configurations newest first; a time not known ({@code
 * deleted}) and a removed configuration are left out. {@code how} is a {@link ProtectionState.Seen}
 * constant.
 */
public final class ProtectionStateCodec implements StateCodec<ProtectionState> {

  @Override
  public Class<ProtectionState> kind() {
    return ProtectionState.class;
  }

  @Override
  public String name() {
    return "protection";
  }

  @Override
  public JsonNode write(ProtectionState state) {
    ObjectNode root = NODES.objectNode();
    ObjectNode buckets = root.putObject("buckets");
    for (String name : state.bucketNames()) {
      state.snapshot(name).ifPresent(b -> buckets.set(name, bucket(b)));
    }
    return root;
  }

  private static ObjectNode bucket(ProtectionState.BucketSnapshot b) {
    ObjectNode n = NODES.objectNode();
    put(n, "firstSeen", b.firstSeen());
    ArrayNode keys = n.putArray("keys");
    for (ProtectionState.KeyState k : b.keys()) {
      ObjectNode key = keys.addObject();
      key.put("key", k.key());
      put(key, "written", k.written());
      put(key, "deleted", k.deleted());
      put(key, "how", k.how() == null ? null : k.how().name());
    }
    ObjectNode roots = n.putObject("clusterRoots");
    b.clusterRoots().forEach((root, at) -> roots.put(root, at.toString()));
    ArrayNode lifecycle = n.putArray("lifecycle");
    for (ProtectionState.LifecycleSnapshot s : b.lifecycle()) {
      ObjectNode l = lifecycle.addObject();
      if (s.configuration() != null) {
        l.set("configuration", s.configuration());
      }
      put(l, "at", s.at());
      put(l, "eventId", s.eventId());
    }
    put(n, "inventoried", b.inventoried());
    put(n, "versioning", b.versioning());
    return n;
  }

  @Override
  public ProtectionState read(JsonNode json) {
    ProtectionState state = new ProtectionState();
    for (Iterator<Map.Entry<String, JsonNode>> it = json.path("buckets").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      state.restore(bucket(e.getKey(), e.getValue()));
    }
    return state;
  }

  private static ProtectionState.BucketSnapshot bucket(String name, JsonNode n) {
    List<ProtectionState.KeyState> keys = new ArrayList<>();
    for (JsonNode k : n.path("keys")) {
      String how = text(k, "how");
      keys.add(
          new ProtectionState.KeyState(
              requiredText(k, "key"),
              instant(k, "written"),
              instant(k, "deleted"),
              how == null ? null : ProtectionState.Seen.valueOf(how)));
    }
    Map<String, Instant> roots = new LinkedHashMap<>();
    for (Iterator<String> it = n.path("clusterRoots").fieldNames(); it.hasNext(); ) {
      String root = it.next();
      roots.put(root, requiredInstant(n.path("clusterRoots"), root));
    }
    List<ProtectionState.LifecycleSnapshot> lifecycle = new ArrayList<>();
    for (JsonNode l : n.path("lifecycle")) {
      JsonNode config = l.get("configuration");
      lifecycle.add(
          new ProtectionState.LifecycleSnapshot(
              config == null || config.isNull() ? null : config,
              requiredInstant(l, "at"),
              requiredText(l, "eventId")));
    }
    return new ProtectionState.BucketSnapshot(
        name,
        requiredInstant(n, "firstSeen"),
        keys,
        roots,
        lifecycle,
        instant(n, "inventoried"),
        text(n, "versioning"));
  }

  @Override
  public boolean isEmpty(ProtectionState state) {
    return state.isEmpty();
  }
}
