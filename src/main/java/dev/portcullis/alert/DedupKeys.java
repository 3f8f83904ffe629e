package dev.portcullis.alert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.event.Target;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The identity of one problem: a policy and the target it is about. Its dedup key is the SHA-256
 * (hex) of the policy id and the target's fields in a fixed order, so every instance computes the
 * same key for the same problem, before and after a restart, and it is the same key PagerDuty
 * (dedup_key), Alertmanager (label) and webhook receivers see. Who made the change and when is not
 * part of it: twenty people stopping the same trail are one problem.
 */
public final class DedupKeys {

  /** The target fields that identify it, in the order they are hashed. */
  static final List<String> IDENTITY_FIELDS =
      List.of(
          "type",
          "account",
          "region",
          "arn",
          "bucket",
          "key",
          "hostedZoneId",
          "recordName",
          "apiGroup",
          "resource",
          "namespace",
          "name",
          "subresource");

  private DedupKeys() {}

  /** The dedup key of a policy's finding about a target (given as its fields). */
  public static String of(String policy, Map<String, String> target) {
    StringBuilder s = new StringBuilder("portcullis-alert/v1\n").append(policy).append('\n');
    for (String f : IDENTITY_FIELDS) {
      String v = target.get(f);
      if (v != null && !v.isEmpty()) {
        // Length-prefixed, so no choice of values can make two targets hash the same text.
        s.append(f).append('=').append(v.length()).append(':').append(v).append('\n');
      }
    }
    return sha256(s.toString());
  }

  /** The dedup key of a policy's finding about a target. */
  public static String of(String policy, Target target) {
    return of(policy, fields(target));
  }

  /** A target's identifying fields, as the decision record carries them. */
  public static Map<String, String> fields(Target t) {
    Map<String, String> m = new LinkedHashMap<>();
    if (t == null) {
      return m;
    }
    put(m, "type", t.getType());
    put(m, "account", t.getAccount());
    put(m, "region", t.getRegion());
    put(m, "arn", t.getArn());
    put(m, "bucket", t.getBucket());
    put(m, "key", t.getKey());
    put(m, "hostedZoneId", t.getHostedZoneId());
    put(m, "recordName", t.getRecordName());
    put(m, "apiGroup", t.getApiGroup());
    put(m, "resource", t.getResource());
    put(m, "namespace", t.getNamespace());
    put(m, "name", t.getName());
    put(m, "subresource", t.getSubresource());
    return m;
  }

  /** A target's identifying fields as a decision record on the decisions topic carries them. */
  public static Map<String, String> fields(JsonNode target) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String f : IDENTITY_FIELDS) {
      JsonNode v = target == null ? null : target.get(f);
      if (v != null && !v.isNull() && !v.isContainerNode()) {
        m.put(f, v.asText());
      }
    }
    return m;
  }

  /**
   * The dedup key alerting gives one finding of a decision record: its policy, or policy and the
   * finding's own {@code alertScope} (a revert pages apart from the finding it follows), and the
   * record's target.
   */
  public static String ofFinding(JsonNode record, JsonNode finding) {
    String policy = finding.path("policy").asText();
    JsonNode scope = finding.path("details").get("alertScope");
    String name =
        scope == null || scope.isNull() || scope.isContainerNode()
            ? policy
            : policy + "#" + scope.asText();
    return of(name, fields(record.path("target")));
  }

  /** A readable reference for target fields ({@code s3://bucket/key}, {@code ns/secrets/x}). */
  public static String describe(Map<String, String> f) {
    return Target.builder()
        .type(f.get("type"))
        .account(f.get("account"))
        .region(f.get("region"))
        .arn(f.get("arn"))
        .bucket(f.get("bucket"))
        .key(f.get("key"))
        .hostedZoneId(f.get("hostedZoneId"))
        .recordName(f.get("recordName"))
        .apiGroup(f.get("apiGroup"))
        .resource(f.get("resource"))
        .namespace(f.get("namespace"))
        .name(f.get("name"))
        .subresource(f.get("subresource"))
        .build()
        .describe();
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
