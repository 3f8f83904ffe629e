package dev.portcullis.intake.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.intake.s3.LogFileNotifications.Notification;
import dev.portcullis.intake.s3.LogFileNotifications.S3Object;
import dev.portcullis.intake.s3.LogFileNotifications.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every notification shape that reaches the queue, and input that is none of them. */
class LogFileNotificationsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY =
      "AWSLogs/111122223333/CloudTrail/us-east-1/2024/07/30/"
          + "111122223333_CloudTrail_us-east-1_20240730T2135Z_Ab3dE.json.gz";

  /** What S3 sends straight to the queue (s3.object.key URL-encoded). */
  static String s3Event(String bucket, String encodedKey) {
    return """
        {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
          "eventTime":"2024-07-30T21:35:12.345Z","eventName":"ObjectCreated:Put",
          "s3":{"s3SchemaVersion":"1.0","configurationId":"cloudtrail-to-portcullis",
                "bucket":{"name":"%s","arn":"arn:aws:s3:::%s"},
                "object":{"key":"%s","size":1234,"sequencer":"0066A95E40"}}}]}
        """
        .formatted(bucket, bucket, encodedKey);
  }

  static String sns(String message) throws Exception {
    return JSON.writeValueAsString(
        JSON.createObjectNode()
            .put("Type", "Notification")
            .put("MessageId", "8f2c1c1e-0000-4000-8000-000000000001")
            .put("TopicArn", "arn:aws:sns:us-east-1:111122223333:cloudtrail-logs")
            .put("Message", message)
            .put("Timestamp", "2024-07-30T21:35:13.000Z"));
  }

  @Test
  void anS3EventNotificationNamesItsObjectWithTheKeyDecoded() {
    Notification n =
        LogFileNotifications.parse(s3Event("trail-bucket", "prefix+with+space/a%3Db/" + KEY));

    assertThat(n.shape()).isEqualTo(Shape.S3_EVENT);
    assertThat(n.objects())
        .containsExactly(new S3Object("trail-bucket", "prefix with space/a=b/" + KEY));
    assertThat(n.ignored()).isFalse();
  }

  @Test
  void anS3EventInsideAnSnsEnvelopeIsUnwrapped() throws Exception {
    Notification n = LogFileNotifications.parse(sns(s3Event("trail-bucket", KEY)));

    assertThat(n.shape()).isEqualTo(Shape.SNS_S3_EVENT);
    assertThat(n.objects()).containsExactly(new S3Object("trail-bucket", KEY));
  }

  @Test
  void anEventBridgeObjectCreatedEventNamesItsObjectAsItIs() {
    Notification n =
        LogFileNotifications.parse(
            """
            {"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103",
             "detail-type":"Object Created","source":"aws.s3","account":"111122223333",
             "time":"2024-07-30T21:35:12Z","region":"us-east-1",
             "resources":["arn:aws:s3:::trail-bucket"],
             "detail":{"version":"0","bucket":{"name":"trail-bucket"},
                       "object":{"key":"a+b/%s","size":1234,"etag":"b1946ac9"},
                       "reason":"PutObject"}}
            """
                .formatted(KEY));

    assertThat(n.shape()).isEqualTo(Shape.EVENTBRIDGE);
    assertThat(n.objects()).containsExactly(new S3Object("trail-bucket", "a+b/" + KEY));
  }

  @Test
  void cloudTrailsOwnSnsNotificationNamesEveryFile() throws Exception {
    Notification n =
        LogFileNotifications.parse(
            sns(
                "{\"s3Bucket\":\"trail-bucket\",\"s3ObjectKey\":[\""
                    + KEY
                    + "\",\""
                    + KEY.replace("Ab3dE", "Zz9yX")
                    + "\"]}"));

    assertThat(n.shape()).isEqualTo(Shape.CLOUDTRAIL_SNS);
    assertThat(n.objects())
        .extracting(S3Object::key)
        .containsExactly(KEY, KEY.replace("Ab3dE", "Zz9yX"));
  }

  @Test
  void s3TestEventIsIgnored() throws Exception {
    String test =
        """
        {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-07-30T21:30:00.000Z",
         "Bucket":"trail-bucket","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw"}
        """;
    for (String body : List.of(test, sns(test))) {
      Notification n = LogFileNotifications.parse(body);
      assertThat(n.shape()).isEqualTo(Shape.TEST_EVENT);
      assertThat(n.ignored()).isTrue();
    }
  }

  @Test
  void otherEventsAndOddInputAnnounceNothing() {
    assertThat(
            LogFileNotifications.parse(
                    s3Event("b", KEY).replace("ObjectCreated:Put", "ObjectRemoved:Delete"))
                .shape())
        .isEqualTo(Shape.OTHER_EVENT);
    assertThat(
            LogFileNotifications.parse(
                    "{\"detail-type\":\"Object Deleted\",\"source\":\"aws.s3\",\"detail\":{}}")
                .shape())
        .isEqualTo(Shape.OTHER_EVENT);
    for (String odd :
        new String[] {
          null,
          "",
          "not json",
          "[1,2]",
          "42",
          "{}",
          "{\"Records\":\"x\"}",
          "{\"Records\":[]}",
          "{\"Records\":[{\"s3\":{\"bucket\":{}}}]}",
          "{\"Type\":\"Notification\",\"Message\":\"{broken\"}",
          "{\"Type\":\"Notification\",\"Message\":42}",
          "{\"s3Bucket\":\"b\",\"s3ObjectKey\":[]}",
          "{\"s3Bucket\":\"b\",\"s3ObjectKey\":[7]}",
          "{\"source\":\"aws.s3\",\"detail-type\":\"Object Created\",\"detail\":{}}"
        }) {
      Notification n = LogFileNotifications.parse(odd);
      assertThat(n.ignored()).as(String.valueOf(odd)).isTrue();
      assertThat(n.shape()).as(String.valueOf(odd)).isEqualTo(Shape.UNKNOWN);
    }
  }

  @Test
  void aStrayPercentSignLeavesTheKeyAsItCame() {
    assertThat(LogFileNotifications.decode("100%+sure")).isEqualTo("100%+sure");
    assertThat(LogFileNotifications.decode("a%2Fb+c")).isEqualTo("a/b c");
  }

  @Test
  void onlyCloudTrailLogFilesAreRead() {
    assertThat(LogFileNotifications.isLogFile(KEY)).isTrue();
    assertThat(LogFileNotifications.isLogFile("org/" + KEY)).isTrue();
    assertThat(
            LogFileNotifications.isLogFile(
                "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/07/30/"
                    + "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240730T2135Z.json.gz"))
        .isFalse();
    assertThat(
            LogFileNotifications.isLogFile(
                "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/07/30/x.json.gz"))
        .isFalse();
    assertThat(LogFileNotifications.isLogFile("AWSLogs/111122223333/CloudTrail/")).isFalse();
    assertThat(LogFileNotifications.isLogFile("CloudTrail.json.gz")).isFalse();
    assertThat(LogFileNotifications.isLogFile(null)).isFalse();
  }
}
