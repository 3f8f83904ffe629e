package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.Events;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every input shape the decoder accepts, and every way an input is refused. */
class EventDecoderTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant ARRIVAL = Instant.parse("2030-01-01T00:00:00Z");
  static final int MAX = 1024 * 1024;
  final EventDecoder decoder = new EventDecoder(JSON, MAX);

  static final String STOP_LOGGING = Events.load("stop-logging.json", "ct-stop-1");
  static final String LIST_BUCKETS = Events.load("list-buckets.json", "ct-list-2");
  static final String SECRET_CREATE =
      Events.load("secret-create.json", "k8s-secret-3").replace("STAGE", "ResponseComplete");

  static final String POD_DELETE =
      """
      {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",
       "auditID":"k8s-pod-4","stage":"ResponseComplete",
       "requestURI":"/api/v1/namespaces/payments/pods/api-0","verb":"delete",
       "user":{"username":"alice@example.com","groups":["system:authenticated"]},
       "sourceIPs":["10.0.12.7"],"userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
       "objectRef":{"resource":"pods","namespace":"payments","name":"api-0","apiVersion":"v1"},
       "responseStatus":{"metadata":{},"code":200},
       "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z",
       "stageTimestamp":"2024-07-30T21:31:21.050000Z"}
      """;

  DecodedBatch decode(String text) throws InvalidEventException {
    return decoder.decode(text.getBytes(StandardCharsets.UTF_8), ARRIVAL);
  }

  static List<String> ids(DecodedBatch b) {
    return b.events().stream().map(ChangeEvent::getId).toList();
  }

  static byte[] gzip(byte[] bytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(bytes);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Nested
  class CloudTrail {

    @Test
    void aSingleRecord() throws Exception {
      DecodedBatch b = decode(STOP_LOGGING);
      assertThat(ids(b)).containsExactly("ct-stop-1");
      assertThat(b.rejected()).isEmpty();
      assertThat(b.events().get(0).getSource()).isEqualTo(ChangeEvent.CLOUDTRAIL);
    }

    @Test
    void aLogFileAndTheSameFileGzippedAsCloudTrailWritesItToS3() throws Exception {
      String logFile = "{\"Records\":[" + STOP_LOGGING + "," + LIST_BUCKETS + "]}";
      DecodedBatch plain = decode(logFile);
      assertThat(ids(plain)).containsExactly("ct-stop-1", "ct-list-2");
      assertThat(plain.rejected()).isEmpty();

      DecodedBatch gz = decoder.decode(gzip(logFile.getBytes(StandardCharsets.UTF_8)), ARRIVAL);
      assertThat(ids(gz)).containsExactly("ct-stop-1", "ct-list-2");
      assertThat(gz.events().get(1).getAction()).isEqualTo("ListBuckets");
    }

    @Test
    void anEmptyLogFileHasNoEvents() throws Exception {
      DecodedBatch b = decode("{\"Records\":[]}");
      assertThat(b.events()).isEmpty();
      assertThat(b.rejected()).isEmpty();
    }

    @Test
    void aLogFileKeepsItsGoodRecordsAndRejectsTheBadOnes() throws Exception {
      DecodedBatch b =
          decode(
              "{\"Records\":["
                  + STOP_LOGGING
                  + ",{\"note\":\"no event\",\"SecretString\":\"hunter2-SECRET\"},"
                  + LIST_BUCKETS
                  + "]}");
      assertThat(ids(b)).containsExactly("ct-stop-1", "ct-list-2");
      assertThat(b.rejected()).hasSize(1);
      DecodedBatch.Rejected r = b.rejected().get(0);
      assertThat(r.location()).isEqualTo("Records[1]");
      assertThat(r.reason()).isEqualTo(InvalidEventException.INVALID_RECORD);
      assertThat(r.message()).contains("Records[1]", "note");
      String payload = new String(r.payload(), StandardCharsets.UTF_8);
      assertThat(payload).contains("no event").doesNotContain("hunter2");
    }
  }

  @Nested
  class EventBridge {

    static String envelope(String detailType, String source, String detail) {
      return """
          {"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"%s",
           "source":"%s","account":"111122223333","time":"2026-11-20T09:14:05Z",
           "region":"eu-west-1","resources":[],"detail":%s}
          """
          .formatted(detailType, source, detail);
    }

    @Test
    void anApiCallViaCloudTrailIsTheRecordInside() throws Exception {
      DecodedBatch b =
          decode(envelope("AWS API Call via CloudTrail", "aws.cloudtrail", STOP_LOGGING));
      assertThat(ids(b)).containsExactly("ct-stop-1");
      ChangeEvent e = b.events().get(0);
      assertThat(e.getAction()).isEqualTo("StopLogging");
      // The record's own time, not the envelope's.
      assertThat(e.getEventTime()).isEqualTo(Instant.parse("2026-11-20T09:14:02Z"));
      assertThat(e.getRaw().has("detail-type")).isFalse();
    }

    @Test
    void anotherDetailIsNoSupportedShape() {
      String stateChange =
          envelope(
              "EC2 Instance State-change Notification",
              "aws.ec2",
              "{\"instance-id\":\"i-0abc1234def567890\",\"state\":\"terminated\"}");
      assertThatThrownBy(() -> decode(stateChange))
          .isInstanceOfSatisfying(
              InvalidEventException.class,
              e -> assertThat(e.reason()).isEqualTo(InvalidEventException.UNSUPPORTED_SHAPE));
    }

    @Test
    void anotherDetailInABatchIsRejectedAlone() throws Exception {
      String stateChange =
          envelope(
              "EC2 Instance State-change Notification",
              "aws.ec2",
              "{\"instance-id\":\"i-0abc1234def567890\",\"state\":\"terminated\"}");
      DecodedBatch b =
          decode(
              "["
                  + envelope("AWS API Call via CloudTrail", "aws.cloudtrail", STOP_LOGGING)
                  + ","
                  + stateChange
                  + "]");
      assertThat(ids(b)).containsExactly("ct-stop-1");
      assertThat(b.rejected()).extracting(DecodedBatch.Rejected::location).containsExactly("[1]");
    }
  }

  @Nested
  class CloudWatchLogs {

    static String payload(String messageType, String... messages) {
      ObjectNode root = JSON.createObjectNode();
      root.put("messageType", messageType);
      root.put("owner", "111122223333");
      root.put("logGroup", "/aws/eks/prod/cluster");
      root.put("logStream", "kube-apiserver-audit-0a1b2c3d4e5f60718");
      root.putArray("subscriptionFilters").add("portcullis");
      ArrayNode logEvents = root.putArray("logEvents");
      for (int i = 0; i < messages.length; i++) {
        ObjectNode le = logEvents.addObject();
        le.put("id", "3719585929823542398561293748561237485612374856123748" + i);
        le.put("timestamp", 1722375081000L + i);
        le.put("message", messages[i]);
      }
      return root.toString();
    }

    static String oneLine(String json) {
      return json.replace("\n", "");
    }

    @Test
    void aDataMessageOfAuditEventsAndCloudTrailRecordsGzippedAsDelivered() throws Exception {
      String data = payload("DATA_MESSAGE", oneLine(POD_DELETE), oneLine(STOP_LOGGING));
      for (byte[] bytes :
          List.of(
              data.getBytes(StandardCharsets.UTF_8), gzip(data.getBytes(StandardCharsets.UTF_8)))) {
        DecodedBatch b = decoder.decode(bytes, ARRIVAL);
        assertThat(ids(b)).containsExactly("k8s-pod-4", "ct-stop-1");
        assertThat(b.events())
            .extracting(ChangeEvent::getSource)
            .containsExactly(ChangeEvent.K8S_AUDIT, ChangeEvent.CLOUDTRAIL);
        assertThat(b.rejected()).isEmpty();
      }
    }

    @Test
    void aSecretInAMessageIsRemoved() throws Exception {
      DecodedBatch b = decode(payload("DATA_MESSAGE", oneLine(SECRET_CREATE)));
      assertThat(ids(b)).containsExactly("k8s-secret-3");
      assertThat(b.events().get(0).getRaw().toString())
          .doesNotContain("aHVudGVyMi1TRUNSRVQtVkFMVUU=", "plain-SECRET-VALUE");
    }

    @Test
    void aMessageThatIsNoEventIsRejectedByItsPlace() throws Exception {
      DecodedBatch b =
          decode(
              payload(
                  "DATA_MESSAGE",
                  oneLine(POD_DELETE),
                  "I0730 21:31:21.000000       1 trace.go:236] Trace[1]: not an audit event",
                  "{\"kind\":\"Secret\",\"data\":{\"password\":\"aHVudGVyMi1TRUNSRVQ=\"}}"));
      assertThat(ids(b)).containsExactly("k8s-pod-4");
      assertThat(b.rejected())
          .extracting(DecodedBatch.Rejected::location, DecodedBatch.Rejected::reason)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "logEvents[1].message", InvalidEventException.NOT_JSON),
              org.assertj.core.groups.Tuple.tuple(
                  "logEvents[2].message", InvalidEventException.INVALID_RECORD));
      for (DecodedBatch.Rejected r : b.rejected()) {
        assertThat(new String(r.payload(), StandardCharsets.UTF_8))
            .doesNotContain("aHVudGVyMi1TRUNSRVQ=");
      }
    }

    @Test
    void aControlMessageHasNoEvents() throws Exception {
      DecodedBatch b =
          decode(payload("CONTROL_MESSAGE", "CWL CONTROL MESSAGE: Checking health of destination"));
      assertThat(b.events()).isEmpty();
      assertThat(b.rejected()).isEmpty();
    }
  }

  @Nested
  class KubernetesAudit {

    @Test
    void aV1Event() throws Exception {
      DecodedBatch b = decode(POD_DELETE);
      assertThat(ids(b)).containsExactly("k8s-pod-4");
      assertThat(b.events().get(0).getSource()).isEqualTo(ChangeEvent.K8S_AUDIT);
    }

    @Test
    void aV1beta1EventAndAnEventWithoutApiVersion() throws Exception {
      String v1beta1 = POD_DELETE.replace("audit.k8s.io/v1", "audit.k8s.io/v1beta1");
      assertThat(ids(decode(v1beta1))).containsExactly("k8s-pod-4");
      String bare =
          POD_DELETE
              .replace("\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",", "")
              .replace("\"auditID\":\"k8s-pod-4\",", "");
      DecodedBatch b = decode(bare);
      assertThat(b.events()).hasSize(1);
      assertThat(b.events().get(0).getSource()).isEqualTo(ChangeEvent.K8S_AUDIT);
      assertThat(b.events().get(0).isIdFromContent()).isTrue();
    }

    @Test
    void anEventListKeepsItsGoodItemsAndRejectsTheBadOnes() throws Exception {
      String list =
          "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":["
              + POD_DELETE
              + ",{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"stray\"},"
              + "\"data\":{\"password\":\"aHVudGVyMi1TRUNSRVQ=\"}},"
              + SECRET_CREATE
              + ",42]}";
      DecodedBatch b = decode(list);
      assertThat(ids(b)).containsExactly("k8s-pod-4", "k8s-secret-3");
      assertThat(b.rejected())
          .extracting(DecodedBatch.Rejected::location)
          .containsExactly("items[1]", "items[3]");
      assertThat(b.rejected())
          .allMatch(r -> r.reason().equals(InvalidEventException.INVALID_RECORD));
      String stray = new String(b.rejected().get(0).payload(), StandardCharsets.UTF_8);
      assertThat(stray).contains("stray").doesNotContain("aHVudGVyMi1TRUNSRVQ=");
      assertThat(new String(b.rejected().get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("42");
      assertThat(b.events().get(1).getRaw().toString())
          .doesNotContain("aHVudGVyMi1TRUNSRVQtVkFMVUU=");
    }

    @Test
    void anEventListWithoutItemsHasNoEvents() throws Exception {
      DecodedBatch b = decode("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\"}");
      assertThat(b.events()).isEmpty();
      assertThat(b.rejected()).isEmpty();
    }
  }

  @Nested
  class JsonArrays {

    @Test
    void anArrayOfMixedEventsAndBatches() throws Exception {
      String array =
          "["
              + STOP_LOGGING
              + ","
              + POD_DELETE
              + ",{\"Records\":["
              + LIST_BUCKETS
              + "]},\"not an event\"]";
      DecodedBatch b = decode(array);
      assertThat(ids(b)).containsExactly("ct-stop-1", "k8s-pod-4", "ct-list-2");
      assertThat(b.rejected()).extracting(DecodedBatch.Rejected::location).containsExactly("[3]");
    }

    @Test
    void nestingIsBounded() throws Exception {
      String deep = "[[[[[[[" + STOP_LOGGING + "]]]]]]]";
      DecodedBatch b = decode(deep);
      assertThat(b.events()).isEmpty();
      assertThat(b.rejected()).hasSize(1);
      assertThat(b.rejected().get(0).reason()).isEqualTo(InvalidEventException.INVALID_RECORD);
    }
  }

  @Nested
  class Refusals {

    InvalidEventException refusal(byte[] bytes) {
      try {
        DecodedBatch b = decoder.decode(bytes, ARRIVAL);
        throw new AssertionError("decoded into " + b);
      } catch (InvalidEventException e) {
        return e;
      }
    }

    InvalidEventException refusal(String text) {
      return refusal(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void emptyInput() {
      assertThat(refusal(new byte[0]).reason()).isEqualTo(InvalidEventException.EMPTY);
      assertThat(refusal((byte[]) null).reason()).isEqualTo(InvalidEventException.EMPTY);
      assertThat(refusal("  \n ").reason()).isEqualTo(InvalidEventException.EMPTY);
    }

    @Test
    void notJson() {
      InvalidEventException e = refusal("this is not json");
      assertThat(e.reason()).isEqualTo(InvalidEventException.NOT_JSON);
      assertThat(e.getMessage()).contains("not JSON");
      assertThat(refusal("{\"eventName\":\"StopLogging\",").reason())
          .isEqualTo(InvalidEventException.NOT_JSON);
    }

    @Test
    void jsonLinesAreRefusedNotCutToTheFirstLine() {
      // Two records in one input: decoding only the first would lose the second in silence.
      InvalidEventException e =
          refusal(STOP_LOGGING.replace("\n", "") + "\n" + LIST_BUCKETS.replace("\n", ""));
      assertThat(e.reason()).isEqualTo(InvalidEventException.NOT_JSON);
      assertThat(e.getMessage()).contains("JSON Lines");
      assertThat(refusal("{\"Records\":[]} trailing").reason())
          .isEqualTo(InvalidEventException.NOT_JSON);
    }

    @Test
    void unsupportedShapesSayWhatTheyAreWithoutTheirValues() {
      InvalidEventException e =
          refusal("{\"kind\":\"Secret\",\"data\":{\"password\":\"aHVudGVyMi1TRUNSRVQ=\"}}");
      assertThat(e.reason()).isEqualTo(InvalidEventException.UNSUPPORTED_SHAPE);
      assertThat(e.getMessage()).contains("[kind, data]").doesNotContain("aHVudGVyMi1TRUNSRVQ=");
      assertThat(refusal("42").reason()).isEqualTo(InvalidEventException.UNSUPPORTED_SHAPE);
      assertThat(refusal("null").reason()).isEqualTo(InvalidEventException.UNSUPPORTED_SHAPE);
      assertThat(refusal("\"text\"").reason()).isEqualTo(InvalidEventException.UNSUPPORTED_SHAPE);
    }

    @Test
    void tooLargeInput() {
      EventDecoder small = new EventDecoder(JSON, 100);
      byte[] big = STOP_LOGGING.getBytes(StandardCharsets.UTF_8);
      InvalidEventException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              InvalidEventException.class, () -> small.decode(big, ARRIVAL));
      assertThat(e.reason()).isEqualTo(InvalidEventException.TOO_LARGE);
      assertThat(e.getMessage()).contains(String.valueOf(big.length), "100");
    }

    @Test
    void aGzipBombIsTooLarge() {
      byte[] zeros = new byte[MAX * 8];
      Arrays.fill(zeros, (byte) ' ');
      zeros[0] = '[';
      zeros[zeros.length - 1] = ']';
      byte[] bomb = gzip(zeros);
      assertThat(bomb.length).isLessThan(MAX / 10);
      InvalidEventException e = refusal(bomb);
      assertThat(e.reason()).isEqualTo(InvalidEventException.TOO_LARGE);
      assertThat(e.getMessage()).contains("decompresses");
    }

    @Test
    void gzipThatDoesNotDecompress() {
      byte[] good = gzip(STOP_LOGGING.getBytes(StandardCharsets.UTF_8));
      byte[] truncated = Arrays.copyOf(good, good.length / 2);
      assertThat(refusal(truncated).reason()).isEqualTo(InvalidEventException.BAD_GZIP);
      byte[] garbage = {0x1f, (byte) 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 7, 8};
      assertThat(refusal(garbage).reason()).isEqualTo(InvalidEventException.BAD_GZIP);
    }
  }

  /**
   * Records that are not what their format says ({@link RecordChecks}), as the decoder refuses
   * them.
   */
  @Nested
  class RecordsNotWhatTheirFormatSays {

    final EventDecoder strictDecoder = new EventDecoder(JSON, MAX, true);

    InvalidEventException refusal(EventDecoder d, String text) {
      try {
        DecodedBatch b = d.decode(text.getBytes(StandardCharsets.UTF_8), ARRIVAL);
        throw new AssertionError("decoded into " + ids(b) + " rejected " + b.rejected());
      } catch (InvalidEventException e) {
        return e;
      }
    }

    static String set(String json, String field, String value) {
      ObjectNode n = Events.tree(json);
      if (value == null) {
        n.remove(field);
      } else {
        n.set(field, Events.read(value));
      }
      return n.toString();
    }

    @Test
    void aSingleRecordOfTheWrongTypeIsRefusedNamingTheField() {
      String[][] cases = {
        {POD_DELETE, "auditID", "42"},
        {POD_DELETE, "verb", "[\"delete\"]"},
        {POD_DELETE, "stage", "{}"},
        {POD_DELETE, "user", "\"alice\""},
        {STOP_LOGGING, "eventName", "5"},
        {STOP_LOGGING, "eventSource", "{}"},
        {STOP_LOGGING, "eventID", "7"},
        {STOP_LOGGING, "userIdentity", "\"arn:aws:iam::1:user/a\""},
      };
      for (String[] c : cases) {
        for (EventDecoder d : List.of(decoder, strictDecoder)) {
          InvalidEventException e = refusal(d, set(c[0], c[1], c[2]));
          assertThat(e.reason()).as(c[1]).isEqualTo(InvalidEventException.WRONG_TYPE);
          assertThat(e.field()).as(c[1]).isEqualTo(c[1]);
        }
      }
    }

    @Test
    void aCloudTrailRecordWithoutEventNameIsRefusedInEitherMode() {
      String noName = set(STOP_LOGGING, "eventName", null);
      for (EventDecoder d : List.of(decoder, strictDecoder)) {
        InvalidEventException e = refusal(d, noName);
        assertThat(e.reason()).isEqualTo(InvalidEventException.MISSING_FIELD);
        assertThat(e.field()).isEqualTo("eventName");
      }
    }

    @Test
    void requireFieldsOffAcceptsRecordsWithoutTheFieldsEverySenderWritesAndOnRefusesThem()
        throws Exception {
      String[][] cases = {
        {POD_DELETE, "auditID"},
        {POD_DELETE, "verb"},
        {POD_DELETE, "stage"},
        {POD_DELETE, "user"},
        {STOP_LOGGING, "eventSource"},
        {STOP_LOGGING, "userIdentity"},
      };
      assertThat(decoder.requiresFields()).isFalse();
      assertThat(strictDecoder.requiresFields()).isTrue();
      for (String[] c : cases) {
        String without = set(c[0], c[1], null);
        DecodedBatch b = decoder.decode(without.getBytes(StandardCharsets.UTF_8), ARRIVAL);
        assertThat(b.events()).as("without " + c[1]).hasSize(1);
        assertThat(b.rejected()).isEmpty();
        InvalidEventException e = refusal(strictDecoder, without);
        assertThat(e.reason()).as(c[1]).isEqualTo(InvalidEventException.MISSING_FIELD);
        assertThat(e.field()).isEqualTo(c[1]);
      }
    }

    @Test
    void anEventBridgeDetailIsCheckedAndItsFieldNamedUnderDetail() {
      String envelope =
          "{\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"aws.cloudtrail\","
              + "\"detail\":"
              + set(STOP_LOGGING, "userIdentity", "[]")
              + "}";
      InvalidEventException e = refusal(decoder, envelope);
      assertThat(e.reason()).isEqualTo(InvalidEventException.WRONG_TYPE);
      assertThat(e.field()).isEqualTo("detail.userIdentity");
      assertThat(refusal(decoder, "{\"detail-type\":\"x\",\"detail\":\"text\"}").field())
          .isEqualTo("detail");
    }

    @Test
    void aBatchWhoseListIsNoListIsRefusedNamingTheList() {
      String[][] cases = {
        {"{\"kind\":\"EventList\",\"items\":{}}", "items", "an audit EventList"},
        {"{\"Records\":\"x\"}", "Records", "a CloudTrail log file"},
        {
          "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":5}",
          "logEvents",
          "a CloudWatch Logs subscription payload"
        },
      };
      for (String[] c : cases) {
        InvalidEventException e = refusal(decoder, c[0]);
        assertThat(e.reason()).as(c[0]).isEqualTo(InvalidEventException.WRONG_TYPE);
        assertThat(e.field()).as(c[0]).isEqualTo(c[1]);
        assertThat(e.getMessage()).contains(c[2], "a list");
      }
    }

    @Test
    void aBatchKeepsItsGoodRecordsAndRejectsTheBadOneWithItsLocationAndField() throws Exception {
      String logFile =
          "{\"Records\":["
              + STOP_LOGGING
              + ","
              + set(LIST_BUCKETS.replace("ct-list-2", "ct-bad"), "eventSource", "42")
              + ","
              + LIST_BUCKETS
              + "]}";
      DecodedBatch b = decode(logFile);
      assertThat(ids(b)).containsExactly("ct-stop-1", "ct-list-2");
      assertThat(b.rejected()).hasSize(1);
      DecodedBatch.Rejected r = b.rejected().get(0);
      assertThat(r.location()).isEqualTo("Records[1]");
      assertThat(r.field()).isEqualTo("eventSource");
      assertThat(r.reason()).isEqualTo(InvalidEventException.WRONG_TYPE);
      assertThat(r.message()).startsWith("Records[1]: ").contains("\"eventSource\"");
      assertThat(new String(r.payload(), StandardCharsets.UTF_8)).contains("ct-bad");

      String list =
          "{\"kind\":\"EventList\",\"items\":["
              + set(POD_DELETE, "verb", "1")
              + ","
              + SECRET_CREATE
              + "]}";
      DecodedBatch items = decode(list);
      assertThat(ids(items)).containsExactly("k8s-secret-3");
      assertThat(items.rejected())
          .extracting(DecodedBatch.Rejected::location, DecodedBatch.Rejected::field)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("items[0]", "verb"));
    }

    @Test
    void aBadMessageOfALogSubscriptionIsRejectedByItsPlaceAndField() throws Exception {
      DecodedBatch b =
          decode(
              CloudWatchLogs.payload(
                  "DATA_MESSAGE",
                  CloudWatchLogs.oneLine(set(POD_DELETE, "user", "[]")),
                  CloudWatchLogs.oneLine(STOP_LOGGING)));
      assertThat(ids(b)).containsExactly("ct-stop-1");
      assertThat(b.rejected())
          .extracting(DecodedBatch.Rejected::location, DecodedBatch.Rejected::field)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("logEvents[0].message", "user"));
    }

    @Test
    void aMissingFieldInABatchIsRejectedAloneWhenRequired() throws Exception {
      String logFile =
          "{\"Records\":[" + STOP_LOGGING + "," + set(LIST_BUCKETS, "userIdentity", null) + "]}";
      assertThat(ids(decode(logFile))).containsExactly("ct-stop-1", "ct-list-2");
      DecodedBatch strict = strictDecoder.decode(logFile.getBytes(StandardCharsets.UTF_8), ARRIVAL);
      assertThat(ids(strict)).containsExactly("ct-stop-1");
      assertThat(strict.rejected())
          .extracting(
              DecodedBatch.Rejected::location,
              DecodedBatch.Rejected::reason,
              DecodedBatch.Rejected::field)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "Records[1]", InvalidEventException.MISSING_FIELD, "userIdentity"));
    }
  }

  /**
   * Regressions found by MutatedRecordsIT: inputs that decoded to no event and no rejection, so
   * they ended as neither a decision nor a dead letter.
   */
  @Nested
  class NothingVanishes {

    @Test
    void aLogSubscriptionPayloadOfAnUnknownMessageTypeIsRefusedNotPassedOver() {
      String payload = CloudWatchLogs.payload("\uDFFF\uD800", CloudWatchLogs.oneLine(POD_DELETE));
      InvalidEventException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              InvalidEventException.class, () -> decode(payload));
      assertThat(e.reason()).isEqualTo(InvalidEventException.UNSUPPORTED_SHAPE);
      assertThat(e.field()).isEqualTo("messageType");
      InvalidEventException wrongType =
          org.junit.jupiter.api.Assertions.assertThrows(
              InvalidEventException.class, () -> decode("{\"messageType\":5,\"logEvents\":[]}"));
      assertThat(wrongType.reason()).isEqualTo(InvalidEventException.WRONG_TYPE);
      assertThat(wrongType.field()).isEqualTo("messageType");
    }

    @Test
    void anEventWithAnExtraFieldNamedLikeABatchListIsStillTheEvent() throws Exception {
      String[] extras = {
        "\"Records\":[]",
        "\"Records\":null",
        "\"Records\":\"x\"",
        "\"kind\":\"EventList\"",
        "\"messageType\":\"CONTROL_MESSAGE\",\"logEvents\":[]",
      };
      for (String extra : extras) {
        for (String event : List.of(POD_DELETE, STOP_LOGGING)) {
          String with = event.trim().replaceFirst("\\{", "{" + extra + ",");
          if (extra.contains("EventList")) {
            with = with.replace("\"kind\":\"Event\",", "");
          }
          DecodedBatch b = decode(with);
          assertThat(b.events()).as(extra + " in " + with).hasSize(1);
          assertThat(b.rejected()).isEmpty();
        }
      }
    }

    @Test
    void genuineEmptyBatchesStayEmpty() throws Exception {
      assertThat(decode("{\"Records\":[]}").events()).isEmpty();
      assertThat(decode("{\"kind\":\"EventList\",\"items\":[]}").events()).isEmpty();
      assertThat(decode(CloudWatchLogs.payload("CONTROL_MESSAGE", "health check")).events())
          .isEmpty();
    }
  }
}
