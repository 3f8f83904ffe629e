package dev.portcullis.protect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.JsonMerge;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.CloudTrailParser;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The facts {@link S3ProtectionFacts} states, the lookups it asks for and the state it keeps: what
 * the policy's test cases cannot see directly.
 */
class S3ProtectionFactsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final java.util.concurrent.atomic.AtomicInteger IDS =
      new java.util.concurrent.atomic.AtomicInteger();
  static final String BK = "etcd-backups";
  static final String CREATED = "backups/etcd/main/control/etcd-cluster-created";

  /** The policy's own defaults, from its policy.yaml. */
  static JsonNode defaults() throws Exception {
    return new YAMLMapper()
        .readTree(Path.of("rules/etcd-control-files/policy.yaml").toFile())
        .path("parameters");
  }

  /** Lookups that answer from a map by name and remember every question. */
  static final class Recorded implements Lookups {
    final Map<String, JsonNode> answers;
    final List<String> asked = new ArrayList<>();

    Recorded(Map<String, JsonNode> answers) {
      this.answers = answers;
    }

    @Override
    public Optional<JsonNode> find(String name, String key) {
      asked.add(name + " " + key);
      return Optional.ofNullable(answers.get(name));
    }

    @Override
    public boolean serves(String name) {
      return name.startsWith("s3.");
    }
  }

  final S3ProtectionFacts provider = new S3ProtectionFacts();
  final StateStore store = new StateStore();

  FactContext context(Lookups lookups, String overrides, boolean recordsState) throws Exception {
    JsonNode p = JsonMerge.merge(defaults(), JSON.readTree(overrides));
    return new FactContext(lookups, Map.of(S3ProtectionFacts.POLICY, p), store, recordsState);
  }

  static ChangeEvent event(String name, String time, String requestParameters, String error)
      throws Exception {
    ObjectNode rec =
        (ObjectNode)
            JSON.readTree(
                "{\"eventVersion\":\"1.09\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\""
                    + name
                    + "\",\"eventTime\":\""
                    + time
                    + "\",\"eventID\":\""
                    + name
                    + "-"
                    + IDS.incrementAndGet()
                    + "\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":"
                    + "\"arn:aws:iam::111122223333:user/bob\",\"userName\":\"bob\"},"
                    + "\"readOnly\":false,\"requestParameters\":"
                    + requestParameters
                    + (error == null ? "" : ",\"errorCode\":\"" + error + "\"")
                    + "}");
    return new CloudTrailParser(JSON).parse(rec, Instant.EPOCH);
  }

  static ChangeEvent lifecycle(String bucket, String rule) throws Exception {
    return event(
        "PutBucketLifecycle",
        "2026-11-20T09:00:00Z",
        "{\"bucketName\":\""
            + bucket
            + "\",\"lifecycle\":\"\",\"LifecycleConfiguration\":{\"Rule\":"
            + rule
            + "}}",
        null);
  }

  static ChangeEvent put(String bucket, String key, String time) throws Exception {
    return event(
        "PutObject", time, "{\"bucketName\":\"" + bucket + "\",\"key\":\"" + key + "\"}", null);
  }

  static JsonNode listing(String... keysSizesTimes) throws Exception {
    StringBuilder sb = new StringBuilder("{\"objects\":[");
    for (int i = 0; i < keysSizesTimes.length; i += 3) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"key\":\"")
          .append(keysSizesTimes[i])
          .append("\",\"size\":")
          .append(keysSizesTimes[i + 1])
          .append(",\"lastModified\":\"")
          .append(keysSizesTimes[i + 2])
          .append("\"}");
    }
    return JSON.readTree(sb.append("],\"truncated\":false}").toString());
  }

  @SuppressWarnings("unchecked")
  static List<ProtectedObjectAtRisk> risks(List<Object> facts) {
    return (List<ProtectedObjectAtRisk>) (List<?>) facts;
  }

  @Test
  void otherServicesAndUnprotectedConfigurationsAreIgnored() throws Exception {
    Recorded lookups = new Recorded(Map.of());
    ChangeEvent notS3 =
        new CloudTrailParser(JSON)
            .parse(
                (ObjectNode)
                    JSON.readTree(
                        "{\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"DeleteObject\","
                            + "\"requestParameters\":{\"bucketName\":\"b\",\"key\":\""
                            + CREATED
                            + "\"}}"),
                Instant.EPOCH);
    assertThat(provider.facts(notS3, context(lookups, "{}", true))).isEmpty();
    // With nothing protected there is nothing to say (and nothing to look up).
    ChangeEvent rule =
        lifecycle(BK, "{\"ID\":\"x\",\"Status\":\"Enabled\",\"Expiration\":{\"Days\":1}}");
    assertThat(
            provider.facts(
                rule, context(lookups, "{\"protectedKeys\":[],\"stateStoreFiles\":[]}", true)))
        .isEmpty();
    assertThat(lookups.asked).isEmpty();
  }

  @Test
  void onlyRulesThatCanHarmCurrentObjectsAreLookedUp() throws Exception {
    Recorded lookups = new Recorded(Map.of("s3.objects", listing()));
    FactContext ctx = context(lookups, "{}", true);
    List<ProtectedObjectAtRisk> disabled =
        risks(
            provider.facts(
                lifecycle(
                    BK,
                    "{\"ID\":\"off\",\"Filter\":{\"Prefix\":\"backups/\"},\"Status\":\"Disabled\","
                        + "\"Expiration\":{\"Days\":1}}"),
                ctx));
    // Stated (the rules decide), but not worth an S3 call.
    assertThat(disabled).singleElement().satisfies(r -> assertThat(r.isRuleEnabled()).isFalse());
    assertThat(disabled.get(0).getLookup()).isEqualTo("not needed");
    provider.facts(
        lifecycle(
            BK,
            "{\"ID\":\"old\",\"Filter\":{\"Prefix\":\"backups/\"},\"Status\":\"Enabled\","
                + "\"NoncurrentVersionExpiration\":{\"NoncurrentDays\":1}}"),
        ctx);
    assertThat(lookups.asked).isEmpty();
    // A failed call is not looked up either.
    ChangeEvent failed =
        event(
            "PutBucketLifecycle",
            "2026-11-20T09:00:00Z",
            "{\"bucketName\":\""
                + BK
                + "\",\"LifecycleConfiguration\":{\"Rule\":{\"ID\":\"x\",\"Filter\":"
                + "{\"Prefix\":\"backups/\"},\"Status\":\"Enabled\",\"Expiration\":{\"Days\":1}}}}",
            "AccessDenied");
    assertThat(provider.facts(failed, ctx)).hasSize(1);
    assertThat(lookups.asked).isEmpty();
    assertThat(store.of(ProtectionState.class, ProtectionState::new).lifecycle(BK)).isPresent();
    // The failed call's configuration was not recorded: the latest is still the noncurrent rule.
    assertThat(
            store
                .of(ProtectionState.class, ProtectionState::new)
                .lifecycle(BK)
                .orElseThrow()
                .configuration()
                .toString())
        .contains("NoncurrentVersionExpiration");
    // A harmful rule is: once per prefix, keyed bucket/prefix.
    provider.facts(
        lifecycle(
            BK,
            "[{\"ID\":\"a\",\"Filter\":{\"Prefix\":\"backups/\"},\"Status\":\"Enabled\","
                + "\"Expiration\":{\"Days\":1}},{\"ID\":\"b\",\"Filter\":{\"Prefix\":\"backups/\"},"
                + "\"Status\":\"Enabled\",\"Transition\":{\"Days\":1,\"StorageClass\":\"GLACIER\"}}]"),
        ctx);
    assertThat(lookups.asked).containsExactly("s3.objects " + BK + "/backups/");
  }

  @Test
  void aListingRecordsWhatItFoundAndATruncatedOneIsNotConclusive() throws Exception {
    Recorded lookups =
        new Recorded(
            Map.of(
                "s3.objects",
                listing(
                    CREATED,
                    "71",
                    "2026-11-01T00:00:00Z",
                    "other/x",
                    "5",
                    "2026-11-01T00:00:00Z")));
    ProtectedObjectAtRisk r =
        risks(
                provider.facts(
                    lifecycle(
                        "unknown-bucket",
                        "{\"ID\":\"all\",\"Filter\":\"\",\"Status\":\"Enabled\","
                            + "\"Expiration\":{\"Days\":30}}"),
                    context(lookups, "{}", true)))
            .get(0);
    assertThat(r.getEvidence()).isEqualTo("S3 listing");
    assertThat(r.getProtectedKeys()).containsExactly(CREATED);
    assertThat(r.getObjectsReached()).isEqualTo(1);
    assertThat(r.getAlreadyDue()).isZero(); // 19 days old, rule says 30
    assertThat(store.of(ProtectionState.class, ProtectionState::new).keys("unknown-bucket"))
        .singleElement()
        .satisfies(k -> assertThat(k.how()).isEqualTo(ProtectionState.Seen.LISTED));

    // A truncated listing without protected objects proves nothing: decided on the pattern.
    Recorded truncated =
        new Recorded(Map.of("s3.objects", JSON.readTree("{\"objects\":[],\"truncated\":true}")));
    ProtectedObjectAtRisk t =
        risks(
                provider.facts(
                    lifecycle(
                        BK,
                        "{\"ID\":\"b\",\"Filter\":{\"Prefix\":\"backups/\"},\"Status\":\"Enabled\","
                            + "\"Expiration\":{\"Days\":30}}"),
                    context(truncated, "{}", true)))
            .get(0);
    assertThat(t.getEvidence()).isEqualTo("pattern");
    assertThat(t.getObjectsReached()).isEqualTo(-1);
    assertThat(t.isListingTruncated()).isTrue();
  }

  @Test
  void dryRunsAndFailedCallsLeaveStateAlone() throws Exception {
    ProtectionState state = store.of(ProtectionState.class, ProtectionState::new);
    provider.facts(put(BK, CREATED, "2026-11-01T00:00:00Z"), context(Lookups.NONE, "{}", false));
    assertThat(state.knowsProtectedKeys(BK)).isFalse();
    ChangeEvent failedPut =
        event(
            "PutObject",
            "2026-11-01T00:00:00Z",
            "{\"bucketName\":\"" + BK + "\",\"key\":\"" + CREATED + "\"}",
            "AccessDenied");
    provider.facts(failedPut, context(Lookups.NONE, "{}", true));
    assertThat(state.knowsProtectedKeys(BK)).isFalse();
    provider.facts(put(BK, CREATED, "2026-11-01T00:00:00Z"), context(Lookups.NONE, "{}", true));
    assertThat(state.keys(BK)).singleElement().satisfies(k -> assertThat(k.present()).isTrue());
    // Unprotected keys are not remembered.
    provider.facts(
        put(BK, "backups/etcd/main/2026/etcd.backup.gz", "2026-11-01T00:00:00Z"),
        context(Lookups.NONE, "{}", true));
    assertThat(state.keys(BK)).hasSize(1);
  }

  @Test
  void aDeletedKeyNoLongerMakesAWholeBucketRuleFire() throws Exception {
    FactContext ctx = context(Lookups.NONE, "{}", true);
    provider.facts(put(BK, CREATED, "2026-11-01T00:00:00Z"), ctx);
    String rule =
        "{\"ID\":\"all\",\"Filter\":\"\",\"Status\":\"Enabled\",\"Expiration\":{\"Days\":1}}";
    assertThat(provider.facts(lifecycle(BK, rule), ctx)).hasSize(1);
    List<ProtectedObjectAtRisk> del =
        risks(
            provider.facts(
                event(
                    "DeleteObject",
                    "2026-11-05T00:00:00Z",
                    "{\"bucketName\":\"" + BK + "\",\"key\":\"" + CREATED + "\"}",
                    null),
                ctx));
    assertThat(del).singleElement().satisfies(d -> assertThat(d.getEffect()).isEqualTo("deletes"));
    assertThat(provider.facts(lifecycle(BK, rule), ctx)).isEmpty();
  }

  @Test
  void kopsStateStoresAreLearntFromTheirSpecAndBoundPatternsNameTheirBucket() throws Exception {
    FactContext ctx = context(Lookups.NONE, "{}", true);
    provider.facts(
        put("kops", "clusters/prod.example.com/cluster-completed.spec", "2026-11-01T00:00:00Z"),
        ctx);
    assertThat(store.of(ProtectionState.class, ProtectionState::new).clusterRoots("kops"))
        .containsExactly("clusters/prod.example.com");
    // The cluster's config under a folder prefix is protected now.
    List<ProtectedObjectAtRisk> r =
        risks(
            provider.facts(
                event(
                    "DeleteObject",
                    "2026-11-02T00:00:00Z",
                    "{\"bucketName\":\"kops\",\"key\":\"clusters/prod.example.com/config\"}",
                    null),
                ctx));
    assertThat(r).hasSize(1);
    // The same key in a bucket that is no state store is not.
    assertThat(
            provider.facts(
                event(
                    "DeleteObject",
                    "2026-11-02T00:00:00Z",
                    "{\"bucketName\":\"assets\",\"key\":\"clusters/prod.example.com/config\"}",
                    null),
                ctx))
        .isEmpty();
    // A pattern bound to a bucket protects there only, and marks the bucket as known.
    FactContext bound =
        context(Lookups.NONE, "{\"protectedKeys\":[\"s3://vault-data/core/keyring\"]}", true);
    assertThat(
            provider.facts(
                event(
                    "DeleteObject",
                    "2026-11-02T00:00:00Z",
                    "{\"bucketName\":\"vault-data\",\"key\":\"core/keyring\"}",
                    null),
                bound))
        .hasSize(1);
    assertThat(
            provider.facts(
                event(
                    "DeleteObject",
                    "2026-11-02T00:00:00Z",
                    "{\"bucketName\":\"elsewhere\",\"key\":\"core/keyring\"}",
                    null),
                bound))
        .isEmpty();
    assertThat(
            risks(
                    provider.facts(
                        event(
                            "DeleteBucket",
                            "2026-11-03T00:00:00Z",
                            "{\"bucketName\":\"vault-data\"}",
                            null),
                        bound))
                .get(0)
                .getEvidence())
        .isEqualTo("configured bucket");
  }

  @Test
  void tagLookupsAreBoundedPerRule() throws Exception {
    Recorded lookups =
        new Recorded(
            Map.of(
                "s3.objects",
                listing(
                    "a/backups/etcd/main/control/etcd-cluster-created",
                    "1",
                    "2026-01-01T00:00:00Z",
                    "b/backups/etcd/main/control/etcd-cluster-created",
                    "1",
                    "2026-01-01T00:00:00Z",
                    "c/backups/etcd/main/control/etcd-cluster-created",
                    "1",
                    "2026-01-01T00:00:00Z"),
                "s3.objectTags",
                JSON.readTree("{\"tags\":{\"tier\":\"cold\"}}")));
    ProtectedObjectAtRisk r =
        risks(
                provider.facts(
                    lifecycle(
                        BK,
                        "{\"ID\":\"cold\",\"Filter\":{\"Tag\":{\"Key\":\"tier\",\"Value\":\"cold\"}},"
                            + "\"Status\":\"Enabled\",\"Expiration\":{\"Days\":1}}"),
                    context(lookups, "{\"maxTagLookups\":2}", true)))
            .get(0);
    assertThat(lookups.asked.stream().filter(a -> a.startsWith("s3.objectTags"))).hasSize(2);
    // Two confirmed, the third unchecked: all three count, on the condition of the tag.
    assertThat(r.getProtectedKeys()).hasSize(3);
    assertThat(r.getCondition()).isEqualTo("tagged tier=cold");
    assertThat(r.getAlreadyDue()).isEqualTo(3);
  }
}
