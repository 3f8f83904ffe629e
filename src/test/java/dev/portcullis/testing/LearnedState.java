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
  private static final Path WEIGHTS =
      Path.of("rules/dns-weight-shift/tests/one-member-changed-against-state.yaml");
  private static final Path MIRROR =
      Path.of("rules/dns-zone-split-brain/tests/mirrored-within-window.yaml");

  /** The zones of the pair in {@link #zonePairs}: a cluster's zone and the balancer zone. */
  public static final String BLUE = "Z0813377EXAMPLEBLU";

  public static final String BALANCER = "Z0813377EXAMPLEBAL";

  /** A zone in no pair, holding the weighted records of {@link #weightsCreated}. */
  public static final String WEIGHTED = "Z0813377EXAMPLEWGT";

  private LearnedState() {}

  private static JsonNode events() {
    return events(CASE);
  }

  private static JsonNode events(Path file) {
    try {
      return new YAMLMapper().readTree(file.toFile()).get("events");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The parameters of {@code dns-zone-split-brain} pairing {@link #BLUE} ({@code
   * blue.k8s.example.com}) with {@link #BALANCER} ({@code example.com}), as a JSON object.
   */
  public static String zonePairs(int windowSeconds, int latenessSeconds) {
    return "{\"pairs\":[{\"a\":{\"zoneId\":\""
        + BLUE
        + "\",\"apex\":\"blue.k8s.example.com\"},\"b\":{\"zoneId\":\""
        + BALANCER
        + "\",\"apex\":\"example.com\"}}],\"windowSeconds\":"
        + windowSeconds
        + ",\"allowedLatenessSeconds\":"
        + latenessSeconds
        + "}";
  }

  /**
   * Weighted records {@code <label>.example.com} created in {@link #WEIGHTED}: blue 100, green 1.
   * Teaches the group's weights.
   */
  public static String weightsCreated(String label, String id, Instant time) {
    return route53(events(WEIGHTS).get(0), "api.example.com", label + ".example.com", id, time)
        .replace(BALANCER, WEIGHTED);
  }

  /**
   * Green's weight alone raised to 255: with blue's weight known from state, a shift of 70.8 points
   * that dns-weight-shift flags; without it, blue's weight is unknown.
   */
  public static String weightShift(String label, String id, Instant time) {
    return route53(events(WEIGHTS).get(1), "api.example.com", label + ".example.com", id, time)
        .replace(BALANCER, WEIGHTED);
  }

  /**
   * Record {@code <label>.blue.k8s.example.com} created in the blue zone (waits for its mirror).
   */
  public static String blueChange(String label, String id, Instant time) {
    return route53(
        events(MIRROR).get(0),
        "api.blue.k8s.example.com",
        label + ".blue.k8s.example.com",
        id,
        time);
  }

  /** Its mirror: {@code <label>.example.com} created in the balancer zone. */
  public static String balancerMirror(String label, String id, Instant time) {
    return route53(events(MIRROR).get(1), "api.example.com", label + ".example.com", id, time);
  }

  private static String route53(
      JsonNode template, String name, String newName, String id, Instant time) {
    ObjectNode e = template.deepCopy();
    e.put("eventID", id);
    e.put("eventTime", time.toString());
    return e.toString().replace("\"" + name + "\"", "\"" + newName + "\"");
  }

  /** The first audit stage of a request that creates a Secret (no response yet). */
  public static String requestReceived(String auditId) {
    ObjectNode e =
        Events.tree(Events.load("secret-create.json", auditId).replace("STAGE", "RequestReceived"));
    e.remove("responseStatus");
    e.remove("responseObject");
    return e.toString();
  }

  /** Its final stage. */
  public static String responseComplete(String auditId) {
    return Events.load("secret-create.json", auditId).replace("STAGE", "ResponseComplete");
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
