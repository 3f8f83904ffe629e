package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Secret material leaves every shape it comes in: whole Secrets, lists of them, patches on them,
 * the last-applied annotation, Secrets Manager values. Each case also checks that every returned
 * path is a JSON pointer to a value that was there and is gone, and that nothing else changed.
 */
class SecretRedactorTest {

  static final ObjectMapper JSON = new ObjectMapper();

  /** The result of one redaction, checked against the original. */
  record Redacted(JsonNode original, JsonNode tree, List<String> paths) {
    String text() {
      return tree.toString();
    }
  }

  static Redacted redact(String json) {
    try {
      JsonNode original = JSON.readTree(json);
      JsonNode tree = original.deepCopy();
      List<String> paths = SecretRedactor.redact(tree);
      for (String p : paths) {
        assertThat(p).as("a JSON pointer").startsWith("/");
        assertThat(original.at(p).isMissingNode()).as(p + " was in the input").isFalse();
        assertThat(tree.at(p).isMissingNode()).as(p + " is gone").isTrue();
      }
      // Removing exactly the reported paths from the original gives the result: nothing else moved.
      JsonNode expected = original.deepCopy();
      for (String p : paths) {
        int cut = p.lastIndexOf('/');
        JsonNode parent = expected.at(p.substring(0, cut));
        String name = p.substring(cut + 1).replace("~1", "/").replace("~0", "~");
        ((com.fasterxml.jackson.databind.node.ObjectNode) parent).remove(name);
      }
      assertThat(tree).isEqualTo(expected);
      assertThat(SecretMaterial.in(tree)).as("secret material left").isEmpty();
      return new Redacted(original, tree, paths);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static final String LAST_APPLIED_POINTER =
      "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration";

  @Test
  void aSecretCreateLosesDataStringDataAndTheLastAppliedAnnotation() {
    Redacted r =
        redact(
            dev.portcullis.testing.Events.load("secret-create.json", "e1")
                .replace("STAGE", "ResponseComplete"));
    assertThat(r.paths())
        .containsExactlyInAnyOrder(
            "/requestObject/data",
            "/requestObject/stringData",
            "/requestObject" + LAST_APPLIED_POINTER,
            "/responseObject/data");
    assertThat(r.text())
        .doesNotContain("aHVudGVyMi1TRUNSRVQtVkFMVUU=", "plain-SECRET-VALUE", "hunter2");
    // What policies need stays.
    assertThat(r.tree().at("/requestObject/metadata/name").asText()).isEqualTo("db-password");
    assertThat(r.tree().at("/requestObject/type").asText()).isEqualTo("Opaque");
    assertThat(r.tree().at("/responseObject/metadata/uid").asText()).isNotEmpty();
  }

  @Test
  void aSecretUpdateByAControllerLosesItsValues() {
    Redacted r =
        redact(
            """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",
             "auditID":"2f1e0d9c-8b7a-4655-9443-322110fedcba","stage":"ResponseComplete",
             "requestURI":"/api/v1/namespaces/payments/secrets/db-credentials","verb":"update",
             "user":{"username":"system:serviceaccount:external-secrets:external-secrets",
               "groups":["system:serviceaccounts","system:authenticated"]},
             "objectRef":{"resource":"secrets","namespace":"payments","name":"db-credentials",
               "uid":"7c9e6679-7425-40de-944b-e07fc1f90ae7","apiVersion":"v1","resourceVersion":"88231"},
             "responseStatus":{"metadata":{},"code":200},
             "requestObject":{"kind":"Secret","apiVersion":"v1",
               "metadata":{"name":"db-credentials","namespace":"payments","resourceVersion":"88231",
                 "labels":{"reconcile.external-secrets.io/managed":"true"}},
               "immutable":false,"data":{"username":"cGF5bWVudHM=","password":"c3VwZXItU0VDUkVULXZhbHVl"},
               "type":"Opaque"},
             "responseObject":{"kind":"Secret","apiVersion":"v1",
               "metadata":{"name":"db-credentials","namespace":"payments","resourceVersion":"88240"},
               "data":{"username":"cGF5bWVudHM=","password":"c3VwZXItU0VDUkVULXZhbHVl"},"type":"Opaque"},
             "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z",
             "stageTimestamp":"2024-07-30T21:31:21.020000Z"}
            """);
    assertThat(r.paths()).containsExactlyInAnyOrder("/requestObject/data", "/responseObject/data");
    assertThat(r.text()).doesNotContain("c3VwZXItU0VDUkVULXZhbHVl");
    assertThat(r.tree().at("/requestObject/metadata/labels").size()).isEqualTo(1);
  }

  @Test
  void everySecretOfASecretListLosesItsValues() {
    // A list response: the items carry no kind; they are Secrets because of the resource.
    Redacted r =
        redact(
            """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",
             "auditID":"3a4b5c6d-7e8f-4901-a2b3-c4d5e6f70819","stage":"ResponseComplete",
             "requestURI":"/api/v1/namespaces/payments/secrets?limit=500","verb":"list",
             "user":{"username":"alice@example.com","groups":["system:authenticated"]},
             "objectRef":{"resource":"secrets","namespace":"payments","apiVersion":"v1"},
             "responseStatus":{"metadata":{},"code":200},
             "responseObject":{"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"88300"},
               "items":[
                 {"metadata":{"name":"db-credentials","namespace":"payments"},
                  "data":{"password":"c3VwZXItU0VDUkVULXZhbHVl"},"type":"Opaque"},
                 {"metadata":{"name":"api-token","namespace":"payments",
                   "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"Secret\\",\\"stringData\\":{\\"token\\":\\"tok-SECRET-123\\"}}\\n"}},
                  "data":{"token":"dG9rLVNFQ1JFVC0xMjM="},"type":"Opaque"}]},
             "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z",
             "stageTimestamp":"2024-07-30T21:31:21.004000Z"}
            """);
    assertThat(r.paths())
        .containsExactlyInAnyOrder(
            "/responseObject/items/0/data",
            "/responseObject/items/1/data",
            "/responseObject/items/1" + LAST_APPLIED_POINTER);
    assertThat(r.text())
        .doesNotContain("SECRET", "c3VwZXItU0VDUkVULXZhbHVl", "dG9rLVNFQ1JFVC0xMjM=");
    assertThat(r.tree().at("/responseObject/items/1/metadata/name").asText())
        .isEqualTo("api-token");
  }

  static String patchEvent(String patchType, String requestObject) {
    return """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",
         "auditID":"4b5c6d7e-8f90-4a1b-b2c3-d4e5f6071829","stage":"ResponseComplete",
         "requestURI":"/api/v1/namespaces/payments/secrets/db-credentials?fieldManager=kubectl-patch",
         "verb":"patch","user":{"username":"alice@example.com","groups":["system:authenticated"]},
         "userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
         "objectRef":{"resource":"secrets","namespace":"payments","name":"db-credentials","apiVersion":"v1"},
         "responseStatus":{"metadata":{},"code":200},
         "annotations":{"patch.type":"%s"},
         "requestObject":%s,
         "responseObject":{"kind":"Secret","apiVersion":"v1",
           "metadata":{"name":"db-credentials","namespace":"payments"},
           "data":{"password":"bmV3LVNFQ1JFVC1wYXNz"},"type":"Opaque"},
         "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z",
         "stageTimestamp":"2024-07-30T21:31:21.010000Z"}
        """
        .formatted(patchType, requestObject);
  }

  @Test
  void jsonPatchOperationsOnSecretValuesLoseTheirValue() {
    Redacted r =
        redact(
            patchEvent(
                "json",
                """
                [{"op":"replace","path":"/data/password","value":"bmV3LVNFQ1JFVC1wYXNz"},
                 {"op":"add","path":"/stringData","value":{"token":"tok-SECRET-123"}},
                 {"op":"test","path":"/data/username","value":"cGF5bWVudHM="},
                 {"op":"add","path":"/metadata/labels/team","value":"payments"},
                 {"op":"remove","path":"/data/old"}]
                """));
    assertThat(r.paths())
        .containsExactlyInAnyOrder(
            "/requestObject/0/value",
            "/requestObject/1/value",
            "/requestObject/2/value",
            "/responseObject/data");
    assertThat(r.text()).doesNotContain("SECRET", "cGF5bWVudHM=", "bmV3LVNFQ1JFVC1wYXNz");
    // The operations themselves stay readable: what was changed, not to what.
    assertThat(r.tree().at("/requestObject/0/path").asText()).isEqualTo("/data/password");
    assertThat(r.tree().at("/requestObject/3/value").asText()).isEqualTo("payments");
  }

  @Test
  void jsonPatchOperationsAboveSecretValuesLoseTheSecretPartOfTheirValue() {
    Redacted r =
        redact(
            patchEvent(
                "json",
                """
                [{"op":"add","path":"/metadata/annotations","value":{
                   "kubectl.kubernetes.io/last-applied-configuration":"{\\"kind\\":\\"Secret\\",\\"data\\":{\\"password\\":\\"bmV3LVNFQ1JFVC1wYXNz\\"}}",
                   "team":"payments"}},
                 {"op":"replace","path":"/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
                   "value":"{\\"kind\\":\\"Secret\\",\\"stringData\\":{\\"password\\":\\"SECRET\\"}}"},
                 {"op":"replace","path":"/metadata","value":{"name":"db-credentials",
                   "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"data\\":{\\"p\\":\\"SECRET\\"}}"}}},
                 {"op":"replace","path":"","value":{"apiVersion":"v1","metadata":{"name":"db-credentials"},
                   "data":{"password":"bmV3LVNFQ1JFVC1wYXNz"},"type":"Opaque"}}]
                """));
    assertThat(r.paths())
        .containsExactlyInAnyOrder(
            "/requestObject/0/value/kubectl.kubernetes.io~1last-applied-configuration",
            "/requestObject/1/value",
            "/requestObject/2/value/annotations/kubectl.kubernetes.io~1last-applied-configuration",
            "/requestObject/3/value/data",
            "/responseObject/data");
    assertThat(r.text()).doesNotContain("SECRET", "bmV3LVNFQ1JFVC1wYXNz");
    assertThat(r.tree().at("/requestObject/0/value/team").asText()).isEqualTo("payments");
    assertThat(r.tree().at("/requestObject/3/value/type").asText()).isEqualTo("Opaque");
  }

  @Test
  void aMergePatchOnASecretHasNoKindButLosesItsValues() {
    Redacted r =
        redact(
            patchEvent(
                "application/strategic-merge-patch+json",
                """
                {"data":{"password":"bmV3LVNFQ1JFVC1wYXNz"},"stringData":{"extra":"SECRET-plain"},
                 "metadata":{"annotations":{
                   "kubectl.kubernetes.io/last-applied-configuration":"{\\"apiVersion\\":\\"v1\\",\\"data\\":{\\"password\\":\\"bmV3LVNFQ1JFVC1wYXNz\\"},\\"kind\\":\\"Secret\\"}\\n"}}}
                """));
    assertThat(r.paths())
        .containsExactlyInAnyOrder(
            "/requestObject/data",
            "/requestObject/stringData",
            "/requestObject" + LAST_APPLIED_POINTER,
            "/responseObject/data");
    assertThat(r.text()).doesNotContain("SECRET", "bmV3LVNFQ1JFVC1wYXNz");
  }

  @Test
  void secretsInsideAListAreFoundWhereverTheListIs() {
    Redacted r =
        redact(
            """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",
             "auditID":"5c6d7e8f-9012-4b3c-a4d5-e6f708192a3b","stage":"ResponseComplete",
             "requestURI":"/apis/example.com/v1/namespaces/payments/bundles","verb":"create",
             "user":{"username":"alice@example.com"},
             "objectRef":{"resource":"bundles","namespace":"payments","apiGroup":"example.com","apiVersion":"v1"},
             "responseStatus":{"metadata":{},"code":201},
             "requestObject":{"apiVersion":"example.com/v1","kind":"Bundle","metadata":{"name":"payments"},
               "spec":{"resources":{"kind":"List","apiVersion":"v1","items":[
                 {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"settings"},"data":{"mode":"fast"}},
                 {"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},
                  "data":{"password":"c3VwZXItU0VDUkVULXZhbHVl"},"stringData":{"pin":"SECRET-1234"}}]}}},
             "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z"}
            """);
    assertThat(r.paths())
        .containsExactlyInAnyOrder(
            "/requestObject/spec/resources/items/1/data",
            "/requestObject/spec/resources/items/1/stringData");
    assertThat(r.text()).doesNotContain("SECRET", "c3VwZXItU0VDUkVULXZhbHVl");
    assertThat(r.tree().at("/requestObject/spec/resources/items/0/data/mode").asText())
        .isEqualTo("fast");
  }

  @Test
  void configMapsAreNotTouched() {
    String configMapCreate =
        """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",
         "auditID":"6d7e8f90-1a2b-4c3d-b4e5-f60718293a4b","stage":"ResponseComplete",
         "requestURI":"/api/v1/namespaces/payments/configmaps","verb":"create",
         "user":{"username":"alice@example.com","groups":["system:authenticated"]},
         "objectRef":{"resource":"configmaps","namespace":"payments","name":"settings","apiVersion":"v1"},
         "responseStatus":{"metadata":{},"code":201},
         "requestObject":{"kind":"ConfigMap","apiVersion":"v1",
           "metadata":{"name":"settings","namespace":"payments","annotations":{
             "kubectl.kubernetes.io/last-applied-configuration":"{\\"apiVersion\\":\\"v1\\",\\"data\\":{\\"mode\\":\\"fast\\"},\\"kind\\":\\"ConfigMap\\"}\\n"}},
           "data":{"mode":"fast"},"binaryData":{"logo":"iVBORw0KGgo="}},
         "responseObject":{"kind":"ConfigMap","apiVersion":"v1",
           "metadata":{"name":"settings","namespace":"payments"},"data":{"mode":"fast"}},
         "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z"}
        """;
    Redacted r = redact(configMapCreate);
    assertThat(r.paths()).isEmpty();
    assertThat(r.tree()).isEqualTo(r.original());

    Redacted patch =
        redact(
            configMapCreate
                .replace("\"verb\":\"create\"", "\"verb\":\"patch\"")
                .replaceFirst(
                    "\"requestObject\":\\{\"kind\":\"ConfigMap\"",
                    "\"requestObject\":[{\"op\":\"replace\",\"path\":\"/data/mode\",\"value\":\"slow\"}],"
                        + "\"unused\":{\"kind\":\"ConfigMap\""));
    assertThat(patch.paths()).isEmpty();
    assertThat(patch.tree().at("/requestObject/0/value").asText()).isEqualTo("slow");
  }

  @Test
  void secretsManagerValuesGoAtAnyDepth() {
    Redacted r =
        redact(
            """
            {"eventVersion":"1.09","eventSource":"secretsmanager.amazonaws.com",
             "eventName":"BatchGetSecretValue","eventTime":"2024-07-30T21:31:21Z",
             "requestParameters":{"secretIdList":["prod/a","prod/b"],"SecretString":"req-SECRET"},
             "responseElements":{"secretValues":[
               {"aRN":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/a-AbCdEf","name":"prod/a",
                "SecretString":"{\\"password\\":\\"a-SECRET\\"}","versionStages":["AWSCURRENT"]},
               {"name":"prod/b","secretBinary":"Yi1TRUNSRVQ=","nested":{"deeper":{"secretstring":"b-SECRET"}}}],
              "errors":[]},
             "odd/key":{"SecretBinary":"c-SECRET"},
             "eventID":"7e8f9012-3a4b-4c5d-b6e7-f8091a2b3c4d"}
            """);
    assertThat(r.paths())
        .containsExactlyInAnyOrder(
            "/requestParameters/SecretString",
            "/responseElements/secretValues/0/SecretString",
            "/responseElements/secretValues/1/secretBinary",
            "/responseElements/secretValues/1/nested/deeper/secretstring",
            "/odd~1key/SecretBinary");
    assertThat(r.text()).doesNotContain("SECRET", "Yi1TRUNSRVQ=");
    assertThat(r.tree().at("/responseElements/secretValues/0/name").asText()).isEqualTo("prod/a");
  }

  @Test
  void eventsInsideAnEventListAreEachRedactedAsTheirOwnRequest() {
    // A merge patch carries no kind: only its own objectRef says it is a Secret.
    String patch =
        patchEvent(
            "application/merge-patch+json", "{\"data\":{\"password\":\"bmV3LVNFQ1JFVC1wYXNz\"}}");
    String configMap =
        patch
            .replace("\"resource\":\"secrets\"", "\"resource\":\"configmaps\"")
            .replace(
                "\"data\":{\"password\":\"bmV3LVNFQ1JFVC1wYXNz\"}}", "\"data\":{\"mode\":\"a\"}}")
            .replace("\"kind\":\"Secret\"", "\"kind\":\"ConfigMap\"")
            .replace(
                "\"data\":{\"password\":\"bmV3LVNFQ1JFVC1wYXNz\"}", "\"data\":{\"mode\":\"b\"}");
    Redacted r =
        redact(
            "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
                + configMap
                + ","
                + patch
                + "]}");
    assertThat(r.paths())
        .containsExactlyInAnyOrder("/items/1/requestObject/data", "/items/1/responseObject/data");
    assertThat(r.text()).doesNotContain("SECRET", "bmV3LVNFQ1JFVC1wYXNz");
    assertThat(r.tree().at("/items/0/requestObject/data/mode").asText()).isEqualTo("a");
    assertThat(r.tree().at("/items/0/responseObject/data/mode").asText()).isEqualTo("b");
  }

  @Test
  void aRecordWithoutSecretsIsLeftAsItIs() {
    Redacted r = redact(dev.portcullis.testing.Events.load("stop-logging.json", "x"));
    assertThat(r.paths()).isEmpty();
    assertThat(r.tree()).isEqualTo(r.original());
  }
}
