package dev.portcullis.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.Events;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What reaches the dead-letter topic: the input as it came, minus every secret value, whether the
 * input is valid JSON, broken JSON, JSON inside JSON strings or gzip.
 */
class DeadLettersTest {

  static final ObjectMapper JSON = new ObjectMapper();

  /** The secret values of secret-create.json: base64 data, plain stringData. */
  static final String[] SECRETS = {"aHVudGVyMi1TRUNSRVQtVkFMVUU=", "plain-SECRET-VALUE"};

  static final String SECRET_CREATE =
      Events.load("secret-create.json", "dead-1").replace("STAGE", "ResponseComplete");

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String scrub(String s) {
    return new String(DeadLetters.scrub(bytes(s), JSON), StandardCharsets.UTF_8);
  }

  @Test
  void validJsonLosesItsSecretsAndStaysValidJson() throws Exception {
    String out = scrub(SECRET_CREATE);
    assertThat(out).doesNotContain(SECRETS).doesNotContain("hunter2");
    JsonNode tree = JSON.readTree(out);
    assertThat(tree.at("/requestObject/metadata/name").asText()).isEqualTo("db-password");
    assertThat(tree.at("/requestObject/data").isMissingNode()).isTrue();
    assertThat(tree.at("/auditID").asText()).isEqualTo("dead-1");
  }

  @Test
  void secretsManagerValuesLeaveValidJson() throws Exception {
    String record =
        "{\"eventSource\":\"secretsmanager.amazonaws.com\",\"eventName\":\"PutSecretValue\","
            + "\"requestParameters\":{\"secretId\":\"prod/db\",\"secretString\":\"hunter2-SECRET\"}}";
    // Not a supported shape here only because the test says so: scrub judges content, not shape.
    String out = scrub(record);
    assertThat(out).doesNotContain("hunter2");
    assertThat(JSON.readTree(out).at("/requestParameters/secretId").asText()).isEqualTo("prod/db");
  }

  @Test
  void truncatedJsonIsCutBeforeAValueThatWasCutInTheMiddle() {
    int at = SECRET_CREATE.indexOf("\"data\":{\"password\":\"aHVud") + 25;
    String truncated = SECRET_CREATE.substring(0, at);
    assertThat(truncated).endsWith("aHVud");
    String out = scrub(truncated);
    assertThat(out).doesNotContain("aHVud", "plain-SECRET");
    assertThat(out).contains("\"auditID\":\"dead-1\"").endsWith("<cut: secret material follows>");
  }

  @Test
  void truncatedSecretsManagerValuesAreCut() {
    String out =
        scrub(
            "{\"eventName\":\"CreateSecret\",\"requestParameters\":{\"name\":\"prod/db\","
                + "\"SecretString\":\"{\\\"password\\\":\\\"hunter2-SECR");
    assertThat(out).doesNotContain("hunter2").contains("prod/db");
    // A value that starts like the replacement marker is cut all the same.
    String xml = scrub("{\"name\":\"prod/saml\",\"secretString\":\"<EntityDescriptor>key-SECRET");
    assertThat(xml).doesNotContain("key-SECRET", "EntityDescriptor").contains("prod/saml");
  }

  @Test
  void delimitedSecretsInBrokenJsonAreReplacedAndTheRestIsKept() {
    String broken =
        "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\"},\"data\":{\"password\":\"c2VjcmV0LVNFQ1JFVA==\"},"
            + "\"stringData\":{\"token\":\"tok-SECRET\"},\"type\":\"Opaque\",\"trailing\":";
    String out = scrub(broken);
    assertThat(out).doesNotContain("c2VjcmV0LVNFQ1JFVA==", "tok-SECRET");
    assertThat(out)
        .contains("\"data\":\"<removed>\"", "\"stringData\":\"<removed>\"", "\"type\":\"Opaque\"")
        .doesNotContain("<cut");
  }

  @Test
  void theEscapedLastAppliedAnnotationIsCutInBrokenJson() {
    // An AKS diagnostic record: the audit event is a JSON string inside a JSON string.
    String inner =
        "{\"kind\":\"Event\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"secrets\"},"
            + "\"requestObject\":{\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\",\"annotations\":"
            + "{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"data\\\":{\\\"password\\\":"
            + "\\\"c2VjcmV0LVNFQ1JFVA==\\\"}}\"}},\"data\":{\"password\":\"c2VjcmV0LVNFQ1JFVA==\"}}}";
    String wrapper =
        "{\"category\":\"kube-audit\",\"properties\":{\"log\":"
            + JSON.valueToTree(inner).toString()
            + "}}";
    String truncated = wrapper.substring(0, wrapper.length() - 40);
    String out = scrub(truncated);
    assertThat(out).doesNotContain("c2VjcmV0LVNFQ1JFVA==").contains("kube-audit");
  }

  @Test
  void jsonHeldInJsonStringsIsScrubbedAndTheResultStaysValid() throws Exception {
    // A CloudWatch Logs payload (valid JSON) whose message is an audit event of a Secret.
    ObjectNode cw = JSON.createObjectNode();
    cw.put("messageType", "DATA_MESSAGE");
    cw.putArray("logEvents").addObject().put("id", "1").put("message", SECRET_CREATE);
    cw.put("padding", "x".repeat(10));
    String out = scrub(cw.toString());
    assertThat(out).doesNotContain(SECRETS);
    String message = JSON.readTree(out).at("/logEvents/0/message").asText();
    assertThat(JSON.readTree(message).at("/requestObject/metadata/name").asText())
        .isEqualTo("db-password");
  }

  @Test
  void jsonPatchValuesOnSecretsAreCutInBrokenJson() {
    String event =
        "{\"verb\":\"patch\",\"objectRef\":{\"resource\":\"secrets\",\"name\":\"db\"},"
            + "\"requestObject\":[{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":\"b\"},"
            + "{\"op\":\"replace\",\"path\":\"/data/password\",\"value\":\"c2VjcmV0LVNFQ1JFVA==\"},"
            + "{\"value\":\"dG9rLVNFQ1JFVA==\",\"op\":\"add\",\"path\":\"/stringData/token\"}],"
            + "\"responseStatus\":{\"code\":";
    String out = scrub(event);
    assertThat(out).doesNotContain("c2VjcmV0LVNFQ1JFVA==", "dG9rLVNFQ1JFVA==");
    assertThat(out).contains("/metadata/labels/a");
  }

  @Test
  void aSecondDocumentAfterTheFirstIsNotOverlooked() {
    String lines = "{\"eventName\":\"ListBuckets\"}\n" + SECRET_CREATE;
    assertThat(scrub(lines)).doesNotContain(SECRETS);
  }

  @Test
  void bytesWithoutSecretsAreReturnedUnchanged() {
    for (String clean :
        new String[] {
          "this is not json",
          Events.load("stop-logging.json", "x"),
          "{\"kind\":\"ConfigMap\",\"data\":{\"mode\":\"fast\"}}",
          "{\"eventName\":\"DeleteBucket\",\"requestParameters\":{\"bucketName\":\"b\"",
          "{\"a\":1}\n{\"b\":2}"
        }) {
      byte[] in = bytes(clean);
      assertThat(DeadLetters.scrub(in, JSON)).as(clean).isSameAs(in);
    }
    byte[] gz = Events.gzip(Events.load("stop-logging.json", "x"));
    assertThat(DeadLetters.scrub(gz, JSON)).isSameAs(gz);
    assertThat(DeadLetters.scrub(new byte[0], JSON)).isEmpty();
    assertThat(DeadLetters.scrub(null, JSON)).isEmpty();
  }

  @Test
  void gzipWithSecretsIsDeadLetteredDecompressedAndScrubbed() throws Exception {
    byte[] gz = Events.gzip("{\"unsupported\":true,\"items\":[" + SECRET_CREATE + "]}");
    byte[] out = DeadLetters.scrub(gz, JSON);
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain(SECRETS);
    assertThat(JSON.readTree(out).at("/items/0/requestObject/metadata/name").asText())
        .isEqualTo("db-password");
  }

  @Test
  void truncatedGzipWithSecretsIsScrubbedAsFarAsItReads() {
    byte[] gz = Events.gzip(SECRET_CREATE + " ".repeat(100));
    byte[] truncated = Arrays.copyOf(gz, gz.length - 30);
    String text = new String(DeadLetters.scrub(truncated, JSON), StandardCharsets.UTF_8);
    assertThat(text).doesNotContain(SECRETS).contains("db-password");

    byte[] cleanTruncated = Arrays.copyOf(Events.gzip(Events.load("stop-logging.json", "x")), 20);
    assertThat(DeadLetters.scrub(cleanTruncated, JSON)).isSameAs(cleanTruncated);
  }

  @Test
  void aGzipBombIsCutWhereCheckingStops() {
    StringBuilder sb = new StringBuilder(SECRET_CREATE);
    byte[] padding = new byte[DeadLetters.MAX_INFLATED + 1024];
    Arrays.fill(padding, (byte) ' ');
    sb.append(new String(padding, StandardCharsets.US_ASCII)).append(SECRET_CREATE);
    byte[] bomb = Events.gzip(sb.toString());
    String text = new String(DeadLetters.scrub(bomb, JSON), StandardCharsets.UTF_8);
    assertThat(text).doesNotContain(SECRETS).contains("not checked beyond");
  }
}
