package dev.portcullis.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.enrich.route53.RecordSet;
import dev.portcullis.enrich.route53.RecordSetKey;
import dev.portcullis.enrich.route53.WeightedRecordSets;
import dev.portcullis.event.EventTimes;
import dev.portcullis.protect.ProtectionState;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The inventory's readings as records of the changes topic (JSON, keyed by the scope whose state
 * they fill), and how the judge that owns the scope records them in its state. Two kinds:
 *
 * <ul>
 *   <li>{@code bucket}: {@code bucket}, {@code at}, {@code complete}, {@code keys} (protected key
 *       to last-modified), {@code clusterRoots}, {@code lifecycleRead}, {@code lifecycle} ({@code
 *       {"Rules":[...]}} or null), {@code versioning}: into {@link ProtectionState};
 *   <li>{@code weighted}: {@code zone}, {@code name}, {@code type}, {@code at}, {@code recordSets}
 *       (as ListResourceRecordSets lists them): into {@link WeightedRecordSets}.
 * </ul>
 */
public final class InventoryRecords {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private InventoryRecords() {}

  /** The record of one bucket read at {@code at}. */
  public static ObjectNode bucket(S3Inventory.BucketReading b, Instant at) {
    ObjectNode n = JSON.objectNode();
    n.put("kind", "bucket");
    n.put("bucket", b.bucket());
    n.put("at", at.toString());
    n.put("complete", b.complete());
    ObjectNode keys = n.putObject("keys");
    b.protectedKeys().forEach((k, t) -> keys.put(k, t == null ? null : t.toString()));
    b.clusterRoots().forEach(n.putArray("clusterRoots")::add);
    n.put("lifecycleRead", b.lifecycleRead());
    n.set("lifecycle", b.lifecycle() == null ? JSON.nullNode() : b.lifecycle());
    n.put("versioning", b.versioning());
    return n;
  }

  /** The record of one weighted group read at {@code at}. */
  public static ObjectNode weighted(Route53Inventory.Group g, Instant at) {
    ObjectNode n = JSON.objectNode();
    n.put("kind", "weighted");
    n.put("zone", g.zoneId());
    n.put("name", g.name());
    n.put("type", g.type());
    n.put("at", at.toString());
    n.set("recordSets", g.recordSets());
    return n;
  }

  /**
   * Records a reading in the scope's state.
   *
   * @throws IllegalArgumentException when it is no inventory reading
   */
  public static void apply(JsonNode r, StateStore store) {
    Instant at =
        EventTimes.parse(r.path("at").asText(null))
            .orElseThrow(() -> new IllegalArgumentException("inventory reading without 'at'"));
    switch (r.path("kind").asText()) {
      case "bucket" -> {
        String bucket = r.path("bucket").asText();
        Map<String, Instant> keys = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("keys").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> k = it.next();
          keys.put(k.getKey(), EventTimes.parse(k.getValue().asText(null)).orElse(null));
        }
        JsonNode lifecycle = r.get("lifecycle");
        ProtectionState ps = store.of(ProtectionState.class, ProtectionState::new);
        for (JsonNode root : r.path("clusterRoots")) {
          ps.clusterRoot(bucket, root.asText(), at);
        }
        ps.inventoried(
            bucket,
            keys,
            r.path("complete").asBoolean(false),
            lifecycle == null || lifecycle.isNull() ? null : lifecycle,
            r.path("lifecycleRead").asBoolean(false),
            r.path("versioning").isTextual() ? r.path("versioning").asText() : null,
            at);
      }
      case "weighted" -> {
        RecordSetKey key =
            new RecordSetKey(
                r.path("zone").asText(), r.path("name").asText(), r.path("type").asText());
        Map<String, Long> members = new TreeMap<>();
        Map<String, String> targets = new TreeMap<>();
        for (JsonNode n : r.path("recordSets")) {
          RecordSet s = RecordSet.of(n);
          if (s != null && s.isWeighted()) {
            members.put(s.member(), s.weight());
            targets.put(s.member(), s.target());
          }
        }
        store
            .of(WeightedRecordSets.class, WeightedRecordSets::new)
            .inventoried(key, members, targets, at);
      }
      default ->
          throw new IllegalArgumentException(
              "unknown inventory reading '" + r.path("kind").asText() + "'");
    }
  }
}
