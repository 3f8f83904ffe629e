package dev.portcullis.protect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A protected-key pattern: a glob over {@code /}-separated S3 keys, where {@code *} matches any run
 * of characters within one segment and a {@code **} segment matches any number of whole segments,
 * including none. Optionally bound to one bucket ({@code s3://bucket/<glob>}); unbound patterns
 * apply in every bucket.
 *
 * <p>Besides matching keys it answers how a lifecycle rule's prefix (a plain string prefix, where
 * {@code *} is a literal) reaches the pattern: {@link Reach#DIRECT} when a key matching the pattern
 * with every {@code **} bound to nothing starts with the prefix; {@link Reach#ABSORBED} when only a
 * {@code **} can absorb the prefix (a key under the prefix matches the pattern only by putting the
 * prefix into the {@code **}); {@link Reach#NONE} otherwise.
 */
public final class KeyGlob {

  /** How a prefix reaches the keys of a pattern. */
  public enum Reach {
    /** The prefix leads straight to the pattern's keys. */
    DIRECT,
    /** Keys under the prefix can match only through a {@code **}. */
    ABSORBED,
    /** No key under the prefix matches. */
    NONE
  }

  private final String text;
  private final String bucket;
  private final String glob;
  private final List<String> segments;
  private final Pattern full;
  private final Pattern flat;

  private KeyGlob(String text, String bucket, String glob) {
    this.text = text;
    this.bucket = bucket;
    this.glob = glob;
    this.segments = List.of(glob.split("/", -1));
    this.full = Pattern.compile(regex(segments, true));
    List<String> flatSegments = new ArrayList<>();
    for (String s : segments) {
      if (!s.equals("**")) {
        flatSegments.add(s);
      }
    }
    this.flat = Pattern.compile(regex(flatSegments, false));
  }

  /**
   * Reads a pattern: {@code <glob>} or {@code s3://bucket/<glob>}.
   *
   * @throws IllegalArgumentException when it is empty or names a bucket without a glob
   */
  public static KeyGlob parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a protected key pattern must not be empty");
    }
    String t = text.trim();
    if (t.startsWith("s3://")) {
      String rest = t.substring("s3://".length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new IllegalArgumentException(
            "'" + t + "' must name a bucket and a key pattern: s3://bucket/<glob>");
      }
      return new KeyGlob(t, rest.substring(0, slash), rest.substring(slash + 1));
    }
    return new KeyGlob(t, null, t);
  }

  /** The pattern as written. */
  public String text() {
    return text;
  }

  /** The glob over keys, without the bucket. */
  public String glob() {
    return glob;
  }

  /** The bucket it is bound to, or null when it applies in every bucket. */
  public String bucket() {
    return bucket;
  }

  /** True when it applies in this bucket. */
  public boolean appliesTo(String bucketName) {
    return bucket == null || bucket.equals(bucketName);
  }

  /** True when the key matches the pattern. */
  public boolean matches(String key) {
    return key != null && full.matcher(key).matches();
  }

  /** How a lifecycle prefix reaches this pattern's keys; an empty prefix reaches directly. */
  public Reach reach(String prefix) {
    String p = prefix == null ? "" : prefix;
    if (viablePrefix(flat, p)) {
      return Reach.DIRECT;
    }
    return viablePrefix(full, p) ? Reach.ABSORBED : Reach.NONE;
  }

  /**
   * The keys a direct prefix reaches, in words: the pattern with every {@code **} bound to nothing
   * and the {@code *} segments the prefix fixes filled in ({@code backups/etcd/main/control/x} for
   * the prefix {@code backups/etcd/main/}, {@code backups/etcd/ma*}/... for {@code
   * backups/etcd/ma}). The pattern itself when the prefix does not reach it directly.
   */
  public String narrowedBy(String prefix) {
    if (reach(prefix) != Reach.DIRECT) {
      return glob;
    }
    String[] given = (prefix == null ? "" : prefix).split("/", -1);
    List<String> out = new ArrayList<>();
    int i = 0;
    for (String s : segments) {
      if (s.equals("**")) {
        continue;
      }
      if (i < given.length - 1) {
        out.add(given[i]); // a whole segment of the prefix, which matched this glob segment
      } else if (i == given.length - 1 && !given[i].isEmpty() && s.equals("*")) {
        out.add(given[i] + "*");
      } else {
        out.add(s);
      }
      i++;
    }
    return String.join("/", out);
  }

  @Override
  public String toString() {
    return text;
  }

  /** True when some string the pattern matches starts with {@code prefix}. */
  private static boolean viablePrefix(Pattern p, String prefix) {
    Matcher m = p.matcher(prefix);
    // A failed match that read past the end of the input could have matched with more input.
    return m.matches() || m.hitEnd();
  }

  private static String regex(List<String> segments, boolean doubleStar) {
    StringBuilder re = new StringBuilder();
    int n = segments.size();
    for (int i = 0; i < n; i++) {
      String s = segments.get(i);
      boolean last = i == n - 1;
      if (doubleStar && s.equals("**")) {
        // Any number of whole segments with their separators, including none.
        re.append(last ? "(?:.*)" : "(?:[^/]*/)*");
        continue;
      }
      re.append(segment(s));
      if (!last) {
        re.append('/');
      }
    }
    return re.toString();
  }

  private static String segment(String s) {
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '*') {
        if (literal.length() > 0) {
          re.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        re.append("[^/]*");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      re.append(Pattern.quote(literal.toString()));
    }
    return re.toString();
  }

  /** The patterns of a list, for messages. */
  static String describe(List<KeyGlob> globs) {
    return Arrays.toString(globs.stream().map(KeyGlob::text).toArray());
  }
}
