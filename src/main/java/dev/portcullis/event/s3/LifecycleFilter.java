package dev.portcullis.event.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which objects a lifecycle rule applies to: those whose key starts with {@code prefix} (a plain
 * string: {@code *} is a literal character), that carry every one of {@code tags}, and whose size
 * lies within the bounds. An empty prefix and no other condition cover the whole bucket.
 *
 * @param prefix the key prefix; empty for the whole bucket, never null
 * @param tags tags an object must carry (key to value), in the order the rule lists them
 * @param sizeGreaterThan objects must be larger than this many bytes, or null
 * @param sizeLessThan objects must be smaller than this many bytes, or null
 */
public record LifecycleFilter(
    String prefix, Map<String, String> tags, Long sizeGreaterThan, Long sizeLessThan) {

  public LifecycleFilter {
    prefix = prefix == null ? "" : prefix;
    tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(tags);
  }

  /** Every object of the bucket: no prefix, no tag and no size condition. */
  public static final LifecycleFilter WHOLE_BUCKET = new LifecycleFilter("", Map.of(), null, null);

  /** True when the filter names no prefix (it may still have tag or size conditions). */
  public boolean wholeBucket() {
    return prefix.isEmpty();
  }

  /** True when only objects carrying tags or within size bounds are covered. */
  public boolean hasConditions() {
    return !tags.isEmpty() || sizeGreaterThan != null || sizeLessThan != null;
  }

  /**
   * The tag and size conditions in words ("tagged env=tmp, larger than 1048576 bytes"), or null
   * when there are none.
   */
  public String describeConditions() {
    List<String> parts = new ArrayList<>();
    if (!tags.isEmpty()) {
      List<String> t = new ArrayList<>();
      tags.forEach((k, v) -> t.add(k + "=" + v));
      parts.add("tagged " + String.join(" and ", t));
    }
    if (sizeGreaterThan != null) {
      parts.add("larger than " + sizeGreaterThan + " bytes");
    }
    if (sizeLessThan != null) {
      parts.add("smaller than " + sizeLessThan + " bytes");
    }
    return parts.isEmpty() ? null : String.join(", ", parts);
  }

  /** True when the key is under the prefix (tag and size conditions aside). */
  public boolean coversKey(String key) {
    return key != null && key.startsWith(prefix);
  }

  /** True when an object of this size meets the size bounds (a null size is unknown: false). */
  public boolean coversSize(Long size) {
    if (sizeGreaterThan == null && sizeLessThan == null) {
      return true;
    }
    if (size == null) {
      return false;
    }
    return (sizeGreaterThan == null || size > sizeGreaterThan)
        && (sizeLessThan == null || size < sizeLessThan);
  }

  /** True when an object carrying these tags meets the tag condition. */
  public boolean coversTags(Map<String, String> objectTags) {
    for (Map.Entry<String, String> t : tags.entrySet()) {
      if (objectTags == null || !t.getValue().equals(objectTags.get(t.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
