package dev.portcullis.enrich.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.enrich.LookupFamily;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code s3} lookup family, answered by the bounded {@link S3ObjectReader}:
 *
 * <ul>
 *   <li>{@code s3.objects}, key {@code bucket/prefix}: {@code {"bucket", "prefix", "objects":
 *       [{"key", "size", "lastModified", "etag"}], "truncated"}} (ListObjectsV2);
 *   <li>{@code s3.object}, key {@code bucket/key}: {@code {"bucket", "key", "exists", "size",
 *       "lastModified", "etag"}} (HeadObject; {@code exists: false} when there is none);
 *   <li>{@code s3.objectTags}, key {@code bucket/key}: {@code {"bucket", "key", "exists", "tags":
 *       {...}}} (GetObjectTagging).
 * </ul>
 *
 * A lookup that fails (timeout, error, rate limit) has no answer. Active only when {@code
 * portcullis.aws.s3.enabled} is true.
 */
@ApplicationScoped
public class S3Lookups implements LookupFamily {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Optional<S3ObjectReader> reader;

  @Inject
  public S3Lookups(S3Access access) {
    this(access.reader());
  }

  /** A family over a reader (tests), or over none. */
  public S3Lookups(Optional<S3ObjectReader> reader) {
    this.reader = reader;
  }

  @Override
  public String family() {
    return "s3";
  }

  @Override
  public boolean active() {
    return reader.isPresent();
  }

  @Override
  public Optional<JsonNode> find(String name, String key) {
    if (reader.isEmpty() || key == null) {
      return Optional.empty();
    }
    int slash = key.indexOf('/');
    if (slash <= 0) {
      return Optional.empty(); // not bucket/...: no such question
    }
    String bucket = key.substring(0, slash);
    String rest = key.substring(slash + 1);
    S3ObjectReader s3 = reader.get();
    return switch (name) {
      case "s3.objects" -> objects(bucket, rest, s3.list(bucket, rest));
      case "s3.object" -> object(bucket, rest, s3.head(bucket, rest));
      case "s3.objectTags" -> tags(bucket, rest, s3.tags(bucket, rest));
      default -> Optional.empty();
    };
  }

  private static Optional<JsonNode> objects(
      String bucket, String prefix, S3ObjectReader.Read<S3ObjectReader.Listing> r) {
    if (r.failed()) {
      return Optional.empty();
    }
    ObjectNode out = JSON.objectNode().put("bucket", bucket).put("prefix", prefix);
    ArrayNode objects = out.putArray("objects");
    if (r.notFound()) {
      out.put("bucketExists", false);
    } else {
      for (S3ObjectReader.Listed o : r.value().objects()) {
        ObjectNode n = objects.addObject().put("key", o.key()).put("size", o.size());
        if (o.lastModified() != null) {
          n.put("lastModified", o.lastModified().toString());
        }
        if (o.etag() != null) {
          n.put("etag", o.etag());
        }
      }
    }
    out.put("truncated", !r.notFound() && r.value().truncated());
    return Optional.of(out);
  }

  private static Optional<JsonNode> object(
      String bucket, String key, S3ObjectReader.Read<S3ObjectReader.Head> r) {
    if (r.failed()) {
      return Optional.empty();
    }
    ObjectNode out = JSON.objectNode().put("bucket", bucket).put("key", key);
    out.put("exists", !r.notFound());
    if (!r.notFound()) {
      out.put("size", r.value().size());
      if (r.value().lastModified() != null) {
        out.put("lastModified", r.value().lastModified().toString());
      }
      if (r.value().etag() != null) {
        out.put("etag", r.value().etag());
      }
    }
    return Optional.of(out);
  }

  private static Optional<JsonNode> tags(
      String bucket, String key, S3ObjectReader.Read<Map<String, String>> r) {
    if (r.failed()) {
      return Optional.empty();
    }
    ObjectNode out = JSON.objectNode().put("bucket", bucket).put("key", key);
    out.put("exists", !r.notFound());
    ObjectNode tags = out.putObject("tags");
    if (!r.notFound()) {
      r.value().forEach(tags::put);
    }
    return Optional.of(out);
  }
}
