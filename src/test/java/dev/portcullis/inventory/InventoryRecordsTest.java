package dev.portcullis.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.enrich.route53.RecordSetKey;
import dev.portcullis.enrich.route53.WeightShift;
import dev.portcullis.enrich.route53.WeightShiftFacts;
import dev.portcullis.enrich.route53.WeightedRecordSets;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.CloudTrailParser;
import dev.portcullis.protect.ProtectedObjectAtRisk;
import dev.portcullis.protect.ProtectionState;
import dev.portcullis.protect.ProtectionStateCodec;
import dev.portcullis.protect.S3ProtectionFacts;
import dev.portcullis.stream.ChangeRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The inventory's readings as the judge records them ({@link InventoryRecords#apply}), and what the
 * fact providers then say: a bucket the inventory read is known (holding control files, or not),
 * its lifecycle configuration is what a later change replaced, and a weighted record's members are
 * the "before" of the next batch, except where the inventory read after that batch.
 */
public class InventoryRecordsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final String CREATED = "backups/etcd/main/control/etcd-cluster-created";
  static final Instant T = Instant.parse("2026-11-20T08:00:00Z");

  final StateStore store = new StateStore();

  ProtectionState protection() {
    return store.of(ProtectionState.class, ProtectionState::new);
  }

  static JsonNode bucket(
      String bucket, Map<String, Instant> keys, boolean complete, JsonNode lifecycle, Instant at) {
    return InventoryRecords.bucket(
        new S3Inventory.BucketReading(
            bucket, keys, List.of(), complete, lifecycle, true, "Enabled", null, at),
        at);
  }

  static JsonNode rules(String id) throws Exception {
    return JSON.readTree(
        "{\"Rules\":[{\"ID\":\""
            + id
            + "\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"logs/\"},"
            + "\"Expiration\":{\"Days\":14}}]}");
  }

  @Test
  void aBucketReadingIsRecordedAndSurvivesTheDurableStore() throws Exception {
    JsonNode r =
        bucket("etcd-backups", Map.of(CREATED, T.minusSeconds(86400)), true, rules("a"), T);
    // As it travels: a record of the changes topic, read back.
    ChangeRecord cr =
        ChangeRecord.read(ChangeRecord.inventory("s3:etcd-backups", r, T).write(JSON), JSON);
    assertThat(cr.event()).isNull();
    InventoryRecords.apply(cr.inventory(), store);

    ProtectionState ps = protection();
    assertThat(ps.keys("etcd-backups"))
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.key()).isEqualTo(CREATED);
              assertThat(k.present()).isTrue();
              assertThat(k.how()).isEqualTo(ProtectionState.Seen.INVENTORY);
            });
    assertThat(ps.inventoried("etcd-backups")).contains(T);
    assertThat(ps.versioning("etcd-backups")).contains("Enabled");
    assertThat(ps.lifecycle("etcd-backups").orElseThrow().eventId()).isEqualTo("inventory:" + T);

    ProtectionStateCodec codec = new ProtectionStateCodec();
    ProtectionState back = codec.read(codec.write(ps));
    assertThat(back.inventoried("etcd-backups")).contains(T);
    assertThat(back.versioning("etcd-backups")).contains("Enabled");
    assertThat(back.keys("etcd-backups")).isEqualTo(ps.keys("etcd-backups"));
  }

  @Test
  void anUnchangedLifecycleIsNotRecordedAgainAndANewerChangeIsNotOverwritten() throws Exception {
    InventoryRecords.apply(bucket("b", Map.of(), true, rules("a"), T), store);
    InventoryRecords.apply(bucket("b", Map.of(), true, rules("a"), T.plusSeconds(3600)), store);
    ProtectionState ps = protection();
    assertThat(ps.lifecycle("b").orElseThrow().at()).isEqualTo(T);
    // A change seen on the stream after the second reading: a later reading of an older state
    // (the inventory ran before the change but its record came after) leaves it alone.
    ps.lifecycle("b", rules("from-event"), T.plusSeconds(7200), "evt-1");
    InventoryRecords.apply(bucket("b", Map.of(), true, rules("a"), T.plusSeconds(5400)), store);
    assertThat(ps.lifecycle("b").orElseThrow().eventId()).isEqualTo("evt-1");
    // The configuration the event replaced is what the inventory read.
    assertThat(ps.lifecycleBefore("b", "evt-1").orElseThrow().eventId())
        .isEqualTo("inventory:" + T);
    // A bucket without a configuration and without history starts none.
    InventoryRecords.apply(bucket("none", Map.of(), true, null, T), store);
    assertThat(ps.lifecycle("none")).isEmpty();
  }

  @Test
  void aCompleteReadingThatNoLongerFindsAKeyMarksItGoneAPartialOneDoesNot() {
    ProtectionState ps = protection();
    ps.keyPresent("b", CREATED, T.minusSeconds(60), ProtectionState.Seen.WRITTEN);
    InventoryRecords.apply(bucket("b", Map.of(), false, null, T), store);
    assertThat(ps.keys("b").get(0).present()).isTrue();
    assertThat(ps.inventoried("b")).isEmpty();
    InventoryRecords.apply(bucket("b", Map.of(), true, null, T), store);
    assertThat(ps.keys("b").get(0).present()).isFalse();
    assertThat(ps.inventoried("b")).contains(T);
  }

  @Test
  void unreadableReadingsAreRefused() {
    ObjectNode noTime = F.objectNode().put("kind", "bucket").put("bucket", "b");
    assertThatThrownBy(() -> InventoryRecords.apply(noTime, store))
        .isInstanceOf(IllegalArgumentException.class);
    ObjectNode other = F.objectNode().put("kind", "table").put("at", T.toString());
    assertThatThrownBy(() -> InventoryRecords.apply(other, store))
        .hasMessageContaining("unknown inventory reading 'table'");
  }

  // ---- what etcd-control-files says with the inventory's knowledge ----

  static JsonNode defaults() throws Exception {
    return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
        .readTree(Path.of("rules/etcd-control-files/policy.yaml").toFile())
        .path("parameters");
  }

  /** S3 lookups configured, every answer failed. */
  public static final Lookups FAILING =
      new Lookups() {
        @Override
        public Optional<JsonNode> find(String name, String key) {
          return Optional.empty();
        }

        @Override
        public boolean serves(String name) {
          return name.startsWith("s3.");
        }
      };

  public static ChangeEvent s3(String name, String bucket, String params) throws Exception {
    return new CloudTrailParser(JSON)
        .parse(
            (ObjectNode)
                JSON.readTree(
                    "{\"eventVersion\":\"1.09\",\"eventSource\":\"s3.amazonaws.com\","
                        + "\"eventName\":\""
                        + name
                        + "\",\"eventTime\":\"2026-11-20T09:00:00Z\",\"eventID\":\"e-"
                        + name
                        + bucket
                        + "\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"bob\"},"
                        + "\"requestParameters\":{\"bucketName\":\""
                        + bucket
                        + "\""
                        + params
                        + "}}"),
            Instant.EPOCH);
  }

  public static final String WHOLE =
      ",\"LifecycleConfiguration\":{\"Rule\":{\"ID\":\"all\",\"Filter\":\"\","
          + "\"Status\":\"Enabled\",\"Expiration\":{\"Days\":30}}}";

  @SuppressWarnings("unchecked")
  List<ProtectedObjectAtRisk> facts(ChangeEvent e, Lookups lookups) throws Exception {
    FactContext ctx =
        new FactContext(lookups, Map.of(S3ProtectionFacts.POLICY, defaults()), store, false);
    return (List<ProtectedObjectAtRisk>) (List<?>) new S3ProtectionFacts().facts(e, ctx);
  }

  @Test
  void aWholeBucketRuleIsJudgedByWhatTheInventoryFound() throws Exception {
    // Never read, lookup failed: unknown.
    assertThat(facts(s3("PutBucketLifecycle", "logs", WHOLE), FAILING))
        .singleElement()
        .satisfies(r -> assertThat(r.getEvidence()).isEqualTo(S3ProtectionFacts.UNKNOWN));
    // Without S3 access at all: quiet by default (alertWhenUnknown with-s3-access).
    assertThat(facts(s3("PutBucketLifecycle", "logs", WHOLE), Lookups.NONE)).isEmpty();
    // Read by the inventory and found without control files: known, quiet.
    InventoryRecords.apply(bucket("logs", Map.of(), true, null, T), store);
    assertThat(facts(s3("PutBucketLifecycle", "logs", WHOLE), FAILING)).isEmpty();
    // Read in part only (more keys than the bound): still unknown.
    InventoryRecords.apply(bucket("huge", Map.of(), false, null, T), store);
    assertThat(facts(s3("PutBucketLifecycle", "huge", WHOLE), FAILING)).hasSize(1);
    // Found holding control files: the keys, on the inventory's word.
    InventoryRecords.apply(bucket("etcd", Map.of(CREATED, T), true, null, T), store);
    assertThat(facts(s3("PutBucketLifecycle", "etcd", WHOLE), FAILING))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getEvidence()).isEqualTo("inventory");
              assertThat(r.getProtectedKeys()).containsExactly(CREATED);
            });
    // And what only a known bucket makes worth saying: keys not recorded, versioning suspended.
    assertThat(facts(s3("DeleteObjects", "etcd", ",\"delete\":\"\""), Lookups.NONE))
        .singleElement()
        .satisfies(r -> assertThat(r.getEvidence()).isEqualTo("inventory"));
    assertThat(
            facts(
                s3(
                    "PutBucketVersioning",
                    "etcd",
                    ",\"VersioningConfiguration\":{\"Status\":\"Suspended\"}"),
                Lookups.NONE))
        .hasSize(1);
    assertThat(facts(s3("DeleteObjects", "logs", ",\"delete\":\"\""), Lookups.NONE)).isEmpty();
  }

  // ---- what dns-weight-shift says with it ----

  static ArrayNode members(long blue, long green) {
    ArrayNode a = F.arrayNode();
    a.addObject()
        .put("name", "api.example.com.")
        .put("type", "A")
        .put("setIdentifier", "blue")
        .put("weight", blue)
        .putObject("aliasTarget")
        .put("dNSName", "blue.example.net.");
    a.addObject()
        .put("name", "api.example.com.")
        .put("type", "A")
        .put("setIdentifier", "green")
        .put("weight", green)
        .putObject("aliasTarget")
        .put("dNSName", "green.example.net.");
    return a;
  }

  static ChangeEvent shift(String time, long blue, long green) throws Exception {
    String m =
        "{\"action\":\"UPSERT\",\"resourceRecordSet\":{\"name\":\"api.example.com\",\"type\":\"A\","
            + "\"setIdentifier\":\"%s\",\"weight\":%d,\"aliasTarget\":{\"dNSName\":\"%s.example"
            + ".net\"}}}";
    return new CloudTrailParser(JSON)
        .parse(
            (ObjectNode)
                JSON.readTree(
                    "{\"eventVersion\":\"1.09\",\"eventSource\":\"route53.amazonaws.com\","
                        + "\"eventName\":\"ChangeResourceRecordSets\",\"eventTime\":\""
                        + time
                        + "\",\"eventID\":\"shift-"
                        + time
                        + "\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"alice\"},"
                        + "\"requestParameters\":{\"hostedZoneId\":\"Z1\",\"changeBatch\":"
                        + "{\"changes\":["
                        + String.format(m, "blue", blue, "blue")
                        + ","
                        + String.format(m, "green", green, "green")
                        + "]}}}"),
            Instant.EPOCH);
  }

  WeightShift weights(ChangeEvent e) {
    FactContext ctx = new FactContext(Lookups.NONE, Map.of(), store, true);
    return (WeightShift) new WeightShiftFacts().facts(e, ctx).get(0);
  }

  @Test
  void theInventoriedWeightsAreTheBeforeOfTheNextBatch() throws Exception {
    InventoryRecords.apply(
        InventoryRecords.weighted(
            new Route53Inventory.Group("Z1", "api.example.com.", "A", members(100, 0)), T),
        store);
    WeightedRecordSets sets = store.of(WeightedRecordSets.class, WeightedRecordSets::new);
    assertThat(sets.view(new RecordSetKey("Z1", "api.example.com.", "A")).orElseThrow().complete())
        .isTrue();
    WeightShift s = weights(shift("2026-11-20T09:00:00Z", 0, 100));
    assertThat(s.isBeforeKnown()).isTrue();
    assertThat(s.getPoints()).isEqualTo(100.0);
    assertThat(s.getBasis()).isEqualTo("state");
    assertThat(
            sets.previous(new RecordSetKey("Z1", "api.example.com.", "A")).orElseThrow().weights())
        .isEqualTo(Map.of("blue", 100L, "green", 0L));
  }

  @Test
  void weightsTheInventoryReadAfterABatchAreNotTakenForItsBefore() throws Exception {
    // The inventory read at 08:00 what a batch of 07:58 (delivered late, as CloudTrail does) wrote.
    InventoryRecords.apply(
        InventoryRecords.weighted(
            new Route53Inventory.Group("Z1", "api.example.com.", "A", members(0, 100)), T),
        store);
    WeightShift s = weights(shift("2026-11-20T07:58:00Z", 0, 100));
    // Not late (the inventory is no change) and not guessed: the old weights are unknown.
    assertThat(s.isLate()).isFalse();
    assertThat(s.isBeforeKnown()).isFalse();
    assertThat(s.isAllToOne()).isTrue();
  }
}
