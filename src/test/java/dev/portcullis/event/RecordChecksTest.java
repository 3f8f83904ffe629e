package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each check of {@link RecordChecks}: the field it names, the reason code, and what it lets through
 * (with and without {@code requireFields}).
 */
class RecordChecksTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static final String AUDIT =
      """
      {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-1",
       "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/p/pods/x","verb":"delete",
       "user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.0.1"],
       "objectRef":{"resource":"pods","namespace":"p","name":"x"},
       "responseStatus":{"code":200},"requestReceivedTimestamp":"2024-07-30T21:31:21Z",
       "stageTimestamp":"2024-07-30T21:31:21Z"}
      """;

  static final String CLOUDTRAIL =
      """
      {"eventVersion":"1.08","eventID":"c-1","eventTime":"2026-11-20T09:14:02Z",
       "eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},
       "requestParameters":{"name":"t"}}
      """;

  static ObjectNode tree(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (Exception e) {
      throw new UncheckedIOException(new java.io.IOException(e));
    }
  }

  /** {@code json} with {@code field} set to the JSON value {@code value} ("-" removes it). */
  static ObjectNode with(String json, String field, String value) {
    ObjectNode n = tree(json);
    if (value.equals("-")) {
      n.remove(field);
    } else {
      n.set(field, tree("{\"v\":" + value + "}").get("v"));
    }
    return n;
  }

  static InvalidEventException auditRefusal(ObjectNode n, boolean require) {
    return catchThrowableOfType(
        InvalidEventException.class, () -> RecordChecks.auditEvent(n, require));
  }

  static InvalidEventException cloudTrailRefusal(ObjectNode n, boolean require) {
    return catchThrowableOfType(
        InvalidEventException.class, () -> RecordChecks.cloudTrailRecord(n, require));
  }

  @Nested
  class AuditEvents {

    @Test
    void aGenuineEventPassesEitherWay() {
      assertThatCode(() -> RecordChecks.auditEvent(tree(AUDIT), false)).doesNotThrowAnyException();
      assertThatCode(() -> RecordChecks.auditEvent(tree(AUDIT), true)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "auditID | 42 | a number",
          "auditID | {} | an object",
          "verb | [\"delete\"] | a list",
          "verb | true | a boolean",
          "stage | 3 | a number",
          "requestURI | {} | an object",
          "requestReceivedTimestamp | 1722375081 | a number",
          "stageTimestamp | [] | a list",
          "user | \"alice\" | a string",
          "user | [] | a list",
          "objectRef | \"pods/x\" | a string",
          "impersonatedUser | 1 | a number",
          "responseStatus | 200 | a number",
          "sourceIPs | \"10.0.0.1\" | a string",
        })
    void aFieldOfTheWrongTypeIsRefusedByName(String field, String value, String type) {
      for (boolean require : new boolean[] {false, true}) {
        InvalidEventException e = auditRefusal(with(AUDIT, field, value), require);
        assertThat(e).as(field + " = " + value).isNotNull();
        assertThat(e.reason()).isEqualTo(InvalidEventException.WRONG_TYPE);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).contains("\"" + field + "\"", type, "an audit Event");
      }
    }

    @Test
    void theUsersNameAndGroupsAreNamedWithTheirPath() {
      ObjectNode n = tree(AUDIT);
      ((ObjectNode) n.get("user")).put("username", 7);
      assertThat(auditRefusal(n, false).field()).isEqualTo("user.username");
      n = tree(AUDIT);
      ((ObjectNode) n.get("user")).put("groups", "system:masters");
      InvalidEventException e = auditRefusal(n, false);
      assertThat(e.field()).isEqualTo("user.groups");
      assertThat(e.reason()).isEqualTo(InvalidEventException.WRONG_TYPE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auditID", "verb", "stage", "user"})
    void aMissingFieldEverySenderWritesIsRefusedOnlyWhenRequired(String field) {
      for (String absent : new String[] {"-", "null"}) {
        ObjectNode n = with(AUDIT, field, absent);
        assertThatCode(() -> RecordChecks.auditEvent(n, false)).doesNotThrowAnyException();
        InvalidEventException e = auditRefusal(n, true);
        assertThat(e).as(field + " " + absent).isNotNull();
        assertThat(e.reason()).isEqualTo(InvalidEventException.MISSING_FIELD);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).contains("\"" + field + "\"", "Kubernetes API server");
      }
    }

    @Test
    void anEmptyStringCountsAsMissing() {
      ObjectNode n = with(AUDIT, "auditID", "\"\"");
      assertThatCode(() -> RecordChecks.auditEvent(n, false)).doesNotThrowAnyException();
      assertThat(auditRefusal(n, true).reason()).isEqualTo(InvalidEventException.MISSING_FIELD);
    }

    @Test
    void fieldsOutsideTheRequiredSetMayBeMissingEvenWhenRequired() {
      ObjectNode n = tree(AUDIT);
      n.remove(java.util.List.of("requestURI", "objectRef", "sourceIPs", "responseStatus"));
      assertThatCode(() -> RecordChecks.auditEvent(n, true)).doesNotThrowAnyException();
    }
  }

  @Nested
  class CloudTrailRecords {

    @Test
    void aGenuineRecordPassesEitherWay() {
      assertThatCode(() -> RecordChecks.cloudTrailRecord(tree(CLOUDTRAIL), false))
          .doesNotThrowAnyException();
      assertThatCode(() -> RecordChecks.cloudTrailRecord(tree(CLOUDTRAIL), true))
          .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "eventName | 5 | a number",
          "eventName | {\"n\":\"StopLogging\"} | an object",
          "eventSource | [] | a list",
          "eventID | 123 | a number",
          "eventTime | 1722375081 | a number",
          "errorCode | false | a boolean",
          "userIdentity | \"arn:aws:iam::1:user/a\" | a string",
          "userIdentity | [] | a list",
          "requestParameters | 7 | a number",
          "requestParameters | [] | a list",
        })
    void aFieldOfTheWrongTypeIsRefusedByName(String field, String value, String type) {
      for (boolean require : new boolean[] {false, true}) {
        InvalidEventException e = cloudTrailRefusal(with(CLOUDTRAIL, field, value), require);
        assertThat(e).as(field + " = " + value).isNotNull();
        assertThat(e.reason()).isEqualTo(InvalidEventException.WRONG_TYPE);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).contains("\"" + field + "\"", type, "a CloudTrail record");
      }
    }

    @Test
    void aRecordWithoutEventNameIsAlwaysRefused() {
      for (String absent : new String[] {"-", "null", "\"\""}) {
        for (boolean require : new boolean[] {false, true}) {
          InvalidEventException e =
              cloudTrailRefusal(with(CLOUDTRAIL, "eventName", absent), require);
          assertThat(e).as(absent).isNotNull();
          assertThat(e.reason()).isEqualTo(InvalidEventException.MISSING_FIELD);
          assertThat(e.field()).isEqualTo("eventName");
          assertThat(e.getMessage()).contains("CloudTrail delivery");
        }
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventSource", "userIdentity"})
    void aMissingFieldEveryDeliveryWritesIsRefusedOnlyWhenRequired(String field) {
      for (String absent : new String[] {"-", "null"}) {
        ObjectNode n = with(CLOUDTRAIL, field, absent);
        assertThatCode(() -> RecordChecks.cloudTrailRecord(n, false)).doesNotThrowAnyException();
        InvalidEventException e = cloudTrailRefusal(n, true);
        assertThat(e).as(field + " " + absent).isNotNull();
        assertThat(e.reason()).isEqualTo(InvalidEventException.MISSING_FIELD);
        assertThat(e.field()).isEqualTo(field);
      }
    }

    @Test
    void requestParametersAsTextIsAcceptedAsSomeSendersWriteIt() {
      ObjectNode n = with(CLOUDTRAIL, "requestParameters", "\"{\\\"name\\\":\\\"t\\\"}\"");
      assertThatCode(() -> RecordChecks.cloudTrailRecord(n, true)).doesNotThrowAnyException();
    }

    @Test
    void anEventIdMayBeMissingAsTheIdIsThenTakenFromTheContent() {
      ObjectNode n = with(CLOUDTRAIL, "eventID", "-");
      assertThatCode(() -> RecordChecks.cloudTrailRecord(n, true)).doesNotThrowAnyException();
    }
  }

  @Nested
  class BatchLists {

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {"{} | an object", "\"x\" | a string", "5 | a number", "true | a boolean"})
    void aListThatIsNoListIsRefusedByName(String value, String type) {
      InvalidEventException e =
          catchThrowableOfType(
              InvalidEventException.class,
              () ->
                  RecordChecks.batchList(
                      tree("{\"v\":" + value + "}").get("v"), "items", "an audit EventList"));
      assertThat(e.reason()).isEqualTo(InvalidEventException.WRONG_TYPE);
      assertThat(e.field()).isEqualTo("items");
      assertThat(e.getMessage()).contains("\"items\"", type, "a list", "an audit EventList");
    }

    @Test
    void aMissingOrNullListIsAnEmptyBatch() {
      assertThatCode(() -> RecordChecks.batchList(null, "Records", "a CloudTrail log file"))
          .doesNotThrowAnyException();
      assertThatCode(
              () ->
                  RecordChecks.batchList(
                      tree("{\"v\":null}").get("v"), "Records", "a CloudTrail log file"))
          .doesNotThrowAnyException();
      assertThatCode(
              () ->
                  RecordChecks.batchList(
                      tree("{\"v\":[]}").get("v"), "Records", "a CloudTrail log file"))
          .doesNotThrowAnyException();
    }
  }
}
