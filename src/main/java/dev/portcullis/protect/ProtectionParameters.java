package dev.portcullis.protect;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The parameters of the {@code etcd-control-files} policy, read from its merged parameters
 * (policy.yaml defaults, operator overrides, test cases):
 *
 * <ul>
 *   <li>{@code protectedKeys}: key globs protected in every bucket (or in one, {@code
 *       s3://bucket/<glob>});
 *   <li>{@code stateStoreFiles}: files of a kOps cluster folder that are protected in kOps state
 *       stores ({@code config}, {@code cluster.spec}, ...); a cluster folder is any top-level
 *       folder and every folder where a marker was seen;
 *   <li>{@code stateStoreMarkers}: file names whose writing shows a bucket is a kOps state store
 *       (and where a cluster folder is);
 *   <li>{@code protectedBuckets}, {@code stateStoreBuckets}: buckets known by configuration;
 *   <li>{@code maxTagLookups}: at most this many {@code s3.objectTags} lookups per lifecycle rule;
 *   <li>{@code unprotectedBuckets}: buckets known to hold no protected objects;
 *   <li>{@code alertWhenUnknown}: when a whole-bucket expiration of a bucket whose content is not
 *       known is reported ({@link Unknown}).
 * </ul>
 *
 * An unreadable pattern is left out with a warning (the others still protect).
 */
public record ProtectionParameters(
    List<KeyGlob> protectedKeys,
    List<String> stateStoreFiles,
    List<String> stateStoreMarkers,
    Set<String> protectedBuckets,
    Set<String> stateStoreBuckets,
    int maxTagLookups,
    Set<String> unprotectedBuckets,
    Unknown alertWhenUnknown) {

  private static final Logger LOG = Logger.getLogger(ProtectionParameters.class);

  /**
   * When a lifecycle rule that would expire or archive every object of a bucket whose content is
   * not known (no listing, inventory, event or parameter says what it holds) is reported.
   */
  public enum Unknown {
    /** Always: without AWS access every such bucket is unknown. */
    ALWAYS,
    /**
     * When S3 access is configured (the lookups or the inventory could have known, and did not).
     */
    WITH_S3_ACCESS,
    /** Never: such rules stay quiet. */
    NEVER;

    static Unknown of(String text) {
      if (text == null || text.isBlank()) {
        return WITH_S3_ACCESS;
      }
      try {
        return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        LOG.warnf(
            "etcd-control-files: alertWhenUnknown '%s' is not always, with-s3-access or never:"
                + " with-s3-access used",
            text);
        return WITH_S3_ACCESS;
      }
    }
  }

  /** Reads the parameters; missing lists are empty. */
  public static ProtectionParameters of(JsonNode p) {
    List<KeyGlob> globs = new ArrayList<>();
    for (String s : texts(p, "protectedKeys")) {
      try {
        globs.add(KeyGlob.parse(s));
      } catch (IllegalArgumentException e) {
        LOG.warnf("etcd-control-files: protectedKeys entry left out: %s", e.getMessage());
      }
    }
    return new ProtectionParameters(
        List.copyOf(globs),
        texts(p, "stateStoreFiles"),
        texts(p, "stateStoreMarkers"),
        Set.copyOf(texts(p, "protectedBuckets")),
        Set.copyOf(texts(p, "stateStoreBuckets")),
        p.path("maxTagLookups").asInt(20),
        Set.copyOf(texts(p, "unprotectedBuckets")),
        Unknown.of(p.path("alertWhenUnknown").asText(null)));
  }

  private static List<String> texts(JsonNode p, String field) {
    Set<String> out = new LinkedHashSet<>();
    JsonNode n = p.path(field);
    if (n.isArray()) {
      n.forEach(
          v -> {
            if (v.isValueNode() && !v.asText().isBlank()) {
              out.add(v.asText().trim());
            }
          });
    } else if (n.isTextual() && !n.asText().isBlank()) {
      out.add(n.asText().trim());
    }
    return List.copyOf(out);
  }

  /** True when nothing is protected: the provider has nothing to say. */
  public boolean protectsNothing() {
    return protectedKeys.isEmpty() && stateStoreFiles.isEmpty();
  }

  /** True when the pattern list names this bucket explicitly ({@code s3://bucket/...}). */
  public boolean bindsBucket(String bucket) {
    for (KeyGlob g : protectedKeys) {
      if (bucket.equals(g.bucket())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The cluster folder of a key when its file name is a state-store marker ({@code
   * prod.example.com} for {@code prod.example.com/cluster.spec}; {@code ""} at the bucket root),
   * else null.
   */
  public String clusterRootOf(String key) {
    if (key == null) {
      return null;
    }
    int slash = key.lastIndexOf('/');
    String file = key.substring(slash + 1);
    if (!stateStoreMarkers.contains(file)) {
      return null;
    }
    return slash < 0 ? "" : key.substring(0, slash);
  }
}
