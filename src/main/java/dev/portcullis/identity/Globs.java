package dev.portcullis.identity;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Glob matching for identities, names and ARNs in policy parameters: {@code *} matches any run of
 * characters (a principal glob like {@code system:serviceaccount:argocd:*} crosses no separators
 * worth keeping), everything else is literal. Usable from DRL as {@code Globs.matchesAny(list,
 * value)}.
 */
public final class Globs {

  private static final Map<String, Pattern> CACHE = new ConcurrentHashMap<>();

  private Globs() {}

  public static boolean matches(String glob, String value) {
    if (glob == null || value == null) {
      return false;
    }
    return CACHE.computeIfAbsent(glob, Globs::compile).matcher(value).matches();
  }

  /** The first glob of {@code globs} that matches {@code value}, or null. */
  public static String firstMatch(List<String> globs, String value) {
    for (String g : globs) {
      if (matches(g, value)) {
        return g;
      }
    }
    return null;
  }

  public static boolean matchesAny(List<String> globs, String value) {
    return firstMatch(globs, value) != null;
  }

  private static Pattern compile(String glob) {
    String[] parts = glob.split("\\*", -1);
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        re.append(".*");
      }
      re.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
