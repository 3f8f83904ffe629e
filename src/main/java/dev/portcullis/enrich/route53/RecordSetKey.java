package dev.portcullis.enrich.route53;

/**
 * A Route53 record set group: every member with the same name and type in one hosted zone (the
 * members of a weighted group differ only by set identifier).
 *
 * @param zoneId bare hosted zone id
 * @param name normalised name (lower case, final dot)
 * @param type record type, upper case
 */
public record RecordSetKey(String zoneId, String name, String type) {

  /**
   * The key of a {@code route53.recordSets} lookup: {@code Z123/api.example.com./A}. A record name
   * holds no {@code /} (Route53 escapes it as {@code \057}), so the first and last slash split it.
   */
  public String lookupKey() {
    return zoneId + "/" + name + "/" + type;
  }

  /** Reads a lookup key; null when it is not one. */
  public static RecordSetKey parse(String lookupKey) {
    if (lookupKey == null) {
      return null;
    }
    int first = lookupKey.indexOf('/');
    int last = lookupKey.lastIndexOf('/');
    if (first <= 0 || last <= first + 1 || last == lookupKey.length() - 1) {
      return null;
    }
    String name = Route53Names.normalise(lookupKey.substring(first + 1, last));
    return new RecordSetKey(
        lookupKey.substring(0, first),
        name,
        lookupKey.substring(last + 1).toUpperCase(java.util.Locale.ROOT));
  }

  /** {@code api.example.com A in zone Z123}, for messages. */
  public String describe() {
    return Route53Names.display(name) + " " + type + " in zone " + zoneId;
  }
}
