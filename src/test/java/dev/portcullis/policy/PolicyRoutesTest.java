package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.inventory.InventoryRecordsTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Events reach only the policies whose {@code sources} and {@code eventNames} take them, whatever
 * the rules' own conditions say: {@code eventNames} is what a policy sees, as Falco's event types
 * and Gatekeeper's kinds are.
 */
class PolicyRoutesTest {

  /** A policy whose only rule flags every event of its sources it sees. */
  static void seesAll(Map<String, byte[]> files, String id, String eventNames, String sources) {
    Folders.put(
        files,
        id + "/policy.drl",
        "package portcullis.policies;\n\nrule \"sees "
            + id
            + "\"\nwhen\n  $e : ChangeEvent( )\nthen\n  verdicts.flag(drools, \""
            + id
            + "\");\nend\n");
    Folders.put(
        files,
        id + "/policy.yaml",
        Folders.metadata(id, "alert", eventNames).replace("[cloudtrail]", sources));
  }

  static List<String> policies(PolicySet set, ChangeEvent e) {
    return set.evaluate(e, List.of(), Map.of()).stream().map(Decision::policy).sorted().toList();
  }

  static ChangeEvent secretCreate() throws Exception {
    return new EventDecoder(new ObjectMapper(), 1 << 20)
        .decode(
            Files.readAllBytes(Path.of("src/test/resources/events/secret-create.json")),
            Instant.EPOCH)
        .events()
        .get(0);
  }

  @Test
  void anEventReachesOnlyThePoliciesOfItsSourceAndActionOrOfEveryAction() throws Exception {
    Map<String, byte[]> files = Folders.sharedOnly();
    seesAll(files, "deletes", "[DeleteBucket]", "[cloudtrail]");
    seesAll(files, "deletes-too", "[DeleteBucket, DeleteObject]", "[cloudtrail]");
    seesAll(files, "tagging", "[PutBucketTagging]", "[cloudtrail]");
    seesAll(files, "every-write", "[\"*\"]", "[cloudtrail]");
    seesAll(files, "secrets", "[create, CreateSecret]", "[k8s-audit, cloudtrail]");
    PolicySet set = Folders.compiler(false).compile(files);

    ChangeEvent delete = InventoryRecordsTest.s3("DeleteBucket", "routes", "");
    ChangeEvent tagging = InventoryRecordsTest.s3("PutBucketTagging", "routes", "");
    ChangeEvent unnamed = InventoryRecordsTest.s3("PutBucketPolicy", "routes", "");
    ChangeEvent secret = secretCreate();
    assertThat(secret.getSource()).isEqualTo(ChangeEvent.K8S_AUDIT);
    assertThat(secret.getAction()).isEqualTo("create");

    assertThat(policies(set, delete)).containsExactly("deletes", "deletes-too", "every-write");
    assertThat(policies(set, tagging)).containsExactly("every-write", "tagging");
    assertThat(policies(set, unnamed)).containsExactly("every-write");
    assertThat(policies(set, secret)).containsExactly("secrets");
    // The same set again, in another order: sessions are reused, routes stay right.
    assertThat(policies(set, secret)).containsExactly("secrets");
    assertThat(policies(set, delete)).containsExactly("deletes", "deletes-too", "every-write");
  }

  @Test
  void anEventNoPolicyTakesIsNotJudged() throws Exception {
    Map<String, byte[]> files = Folders.sharedOnly();
    seesAll(files, "tagging", "[PutBucketTagging]", "[cloudtrail]");
    PolicySet set = Folders.compiler(false).compile(files);
    assertThat(policies(set, InventoryRecordsTest.s3("DeleteBucket", "none", ""))).isEmpty();
    assertThat(policies(set, secretCreate())).isEmpty();
    assertThat(policies(set, InventoryRecordsTest.s3("PutBucketTagging", "none", "")))
        .containsExactly("tagging");
  }

  @Test
  void eventsInsideNotAccumulateAndCollectAreRoutedToo() throws Exception {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(
        files,
        "counted/policy.drl",
        "package portcullis.policies;\nimport java.util.List;\n\n"
            + "rule \"counted\"\nwhen\n"
            + "  $n : Number( intValue == 1 ) from accumulate( ChangeEvent( ), count( 1 ) )\n"
            + "  $all : List( size == 1 ) from collect( ChangeEvent( ) )\n"
            + "  not ChangeEvent( service == \"iam.amazonaws.com\" )\n"
            + "then\n  verdicts.flag(drools, \"counted\");\nend\n");
    Folders.put(
        files, "counted/policy.yaml", Folders.metadata("counted", "alert", "[DeleteBucket]"));
    PolicySet set = Folders.compiler(true).compile(files);
    assertThat(policies(set, InventoryRecordsTest.s3("DeleteBucket", "acc", "")))
        .containsExactly("counted");
    // Not routed here, so no ChangeEvent is seen and the count is 0.
    assertThat(policies(set, InventoryRecordsTest.s3("PutBucketTagging", "acc", ""))).isEmpty();
  }

  @Test
  void policiesWithTheSameSourcesAndNamesShareARoute() throws Exception {
    Map<String, byte[]> files = Folders.sharedOnly();
    seesAll(files, "a", "[DeleteBucket, DeleteObject]", "[cloudtrail]");
    seesAll(files, "b", "[DeleteObject, DeleteBucket]", "[cloudtrail]");
    seesAll(files, "c", "[DeleteBucket]", "[cloudtrail]");
    PolicySet set = Folders.compiler(false).compile(files);
    PolicyRoutes routes = PolicyRoutes.of(set.policies().values());
    assertThat(routes.entryPoint("a")).isEqualTo(routes.entryPoint("b"));
    assertThat(routes.entryPoint("c")).isNotEqualTo(routes.entryPoint("a"));
    assertThat(routes.of(InventoryRecordsTest.s3("DeleteBucket", "r", ""))).hasSize(2);
    assertThat(routes.of(InventoryRecordsTest.s3("DeleteObject", "r", "")))
        .containsExactly(routes.entryPoint("a"));
  }
}
