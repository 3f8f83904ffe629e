package dev.portcullis.enrich.route53;

import java.util.Locale;

/**
 * How Route53 spells names and hosted zone ids, so that names from requests (any case, with or
 * without the final dot, {@code *} or its escape {@code \052}) compare equal to the names
 * ListResourceRecordSets returns (lower case, final dot, octal escapes).
 */
public final class Route53Names {

  private Route53Names() {}

  /**
   * A record name for comparison: lower case, ending with a dot, octal escapes ({@code \052})
   * decoded. Null or blank stays null.
   */
  public static String normalise(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    String n = decodeEscapes(name.trim()).toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }

  /** A normalised name as people write it: without the final dot ({@code api.example.com}). */
  public static String display(String normalised) {
    if (normalised == null) {
      return null;
    }
    return normalised.length() > 1 && normalised.endsWith(".")
        ? normalised.substring(0, normalised.length() - 1)
        : normalised;
  }

  /**
   * A hosted zone id as the Route53 client takes it: {@code Z123} for {@code /hostedzone/Z123},
   * {@code hostedzone/Z123} or {@code Z123}. Null or blank stays null.
   */
  public static String zoneId(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String z = raw.trim();
    int slash = z.lastIndexOf('/');
    return slash >= 0 ? z.substring(slash + 1) : z;
  }

  /**
   * The part of a normalised name below a normalised apex: {@code api} for {@code api.example.com.}
   * under {@code example.com.}, {@code @} for the apex itself, null when the name is not under the
   * apex.
   */
  public static String relative(String name, String apex) {
    if (name == null || apex == null) {
      return null;
    }
    if (name.equals(apex)) {
      return "@";
    }
    if (apex.equals(".")) {
      return name.substring(0, name.length() - 1);
    }
    String suffix = "." + apex;
    return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
  }

  /** The full normalised name of a relative name ({@code @} is the apex) under an apex. */
  public static String under(String relative, String apex) {
    return "@".equals(relative) ? apex : relative + "." + apex;
  }

  private static String decodeEscapes(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }
}
