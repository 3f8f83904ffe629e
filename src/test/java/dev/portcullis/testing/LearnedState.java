package dev.portcullis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Events that teach Portcullis something and the events judged by what it learnt, taken from the
 * bundled policies' own test cases (so they are the same real-format records) with the bucket, ids
 * and times a test chooses.
 */
public final class LearnedState {

  private static final Path CASE =
      Path.of("rules/etcd-control-files/tests/whole-bucket-seen-written.yaml");

  private LearnedState() {}

  private static JsonNode events() {
    try {
      return new YAMLMapper().readTree(CASE.toFile()).get("events");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** etcd-manager writing its control file into {@code bucket}: teaches that it holds one. */
  public static String controlFileWritten(String bucket, String id, Instant time) {
    return s3Event(events().get(0), bucket, id, time);
  }

  /**
   * A lifecycle rule expiring every object of {@code bucket} after a day: etcd-control-files fires
   * only when Portcullis knows the bucket holds control files (a bucket it knows nothing of is
   * quiet).
   */
  public static String wholeBucketExpiry(String bucket, String id, Instant time) {
    return s3Event(events().get(1), bucket, id, time);
  }

  private static String s3Event(JsonNode template, String bucket, String id, Instant time) {
    ObjectNode e = template.deepCopy();
    e.put("eventID", id);
    e.put("eventTime", time.toString());
    ObjectNode req = (ObjectNode) e.get("requestParameters");
    req.put("bucketName", bucket);
    req.put("Host", bucket + ".s3.eu-west-1.amazonaws.com");
    for (JsonNode r : e.path("resources")) {
      String arn = r.path("ARN").asText();
      ((ObjectNode) r).put("ARN", arn.replace("example-etcd-backups", bucket));
    }
    ((ObjectNode) e.get("tlsDetails"))
        .put("clientProvidedHostHeader", bucket + ".s3.eu-west-1.amazonaws.com");
    return e.toString();
  }
}
