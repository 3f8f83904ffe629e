package dev.portcullis.event.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.Corpus;
import org.junit.jupiter.api.Test;

/** Object keys and versioning status from S3 CloudTrail records, corpus shapes included. */
class S3RequestsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void keysOfSingleObjectRequests() throws Exception {
    assertThat(S3Requests.objectKey(JSON.readTree("{\"bucketName\":\"b\",\"key\":\"a/b\"}")))
        .isEqualTo("a/b");
    // The Outposts example in AWS's docs writes Key.
    assertThat(S3Requests.objectKey(JSON.readTree("{\"Key\":\"path/upload.sh\"}")))
        .isEqualTo("path/upload.sh");
    assertThat(S3Requests.objectKey(JSON.readTree("{\"bucketName\":\"b\"}"))).isNull();
    assertThat(S3Requests.objectKey(null)).isNull();
  }

  @Test
  void deleteObjectsKeysWhenTheRecordCarriesThem() throws Exception {
    // CloudTrail's own record: "delete" is the empty query marker, the keys are not recorded.
    assertThat(S3Requests.deletedKeys(JSON.readTree("{\"bucketName\":\"b\",\"delete\":\"\"}")))
        .isNull();
    assertThat(
            S3Requests.deletedKeys(
                JSON.readTree(
                    "{\"delete\":{\"Object\":[{\"Key\":\"a\"},{\"Key\":\"b\",\"VersionId\":\"1\"}],"
                        + "\"Quiet\":\"true\"}}")))
        .containsExactly("a", "b");
    assertThat(S3Requests.deletedKeys(JSON.readTree("{\"delete\":{\"Object\":{\"Key\":\"one\"}}}")))
        .containsExactly("one");
    assertThat(S3Requests.deletedKeys(JSON.readTree("{\"delete\":{\"Object\":[]}}"))).isEmpty();
    assertThat(S3Requests.deletedKeys(JSON.readTree("{\"delete\":{\"Quiet\":true}}"))).isNull();
  }

  @Test
  void versioningStatusOfEveryCorpusRecord() throws Exception {
    int suspended = 0;
    int seen = 0;
    for (Corpus.Line l : Corpus.lines("cloudtrail")) {
      if (l.json().contains("\"PutBucketVersioning\"")) {
        seen++;
        String s = S3Requests.versioningStatus(JSON.readTree(l.json()).path("requestParameters"));
        if ("Suspended".equals(s)) {
          suspended++;
        }
      }
    }
    assertThat(seen).isEqualTo(17);
    assertThat(suspended).isEqualTo(4);
    assertThat(S3Requests.versioningStatus(JSON.readTree("{}"))).isNull();
  }
}
