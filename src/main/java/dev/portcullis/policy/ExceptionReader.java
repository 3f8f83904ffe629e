package dev.portcullis.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and validates {@code exceptions/*.yaml}. One file is one exception; its id is the file
 * name. Required: {@code policy} (a loaded policy), {@code match} (at least one field), {@code
 * reason}, {@code owner}, {@code approvedBy}, {@code expires} (a date, meaning the start of that
 * day in UTC, or an ISO-8601 date-time), at most {@code maxAhead} after load time. Every problem
 * names the file, line and field.
 */
final class ExceptionReader {

  /** Folder of exceptions inside the policies folder. */
  static final String FOLDER = "exceptions";

  static final List<String> FIELDS =
      List.of("id", "policy", "match", "reason", "owner", "approvedBy", "expires");

  private ExceptionReader() {}

  static List<PolicyException> read(
      Map<String, byte[]> files,
      Set<String> policies,
      Instant now,
      Duration maxAhead,
      List<Problem> problems,
      List<Problem> warnings) {
    Map<String, PolicyException> out = new TreeMap<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String path = f.getKey();
      if (!path.startsWith(FOLDER + "/")) {
        continue;
      }
      String name = path.substring(FOLDER.length() + 1);
      if (!(name.endsWith(".yaml") || name.endsWith(".yml"))) {
        continue; // a README or notes beside the exceptions
      }
      if (name.contains("/")) {
        problems.add(Problem.of(path, "exceptions are files directly in exceptions/"));
        continue;
      }
      String id = name.substring(0, name.lastIndexOf('.'));
      PolicyException e = readOne(path, id, f.getValue(), policies, now, maxAhead, problems);
      if (e != null) {
        if (!e.activeAt(now)) {
          warnings.add(
              Problem.of(
                  path,
                  "expired on "
                      + e.expires()
                      + "; it still applies to older events (replays), remove it when no longer"
                      + " needed"));
        }
        out.put(id, e);
      }
    }
    return List.copyOf(out.values());
  }

  private static PolicyException readOne(
      String file,
      String id,
      byte[] yaml,
      Set<String> policies,
      Instant now,
      Duration maxAhead,
      List<Problem> problems) {
    YamlFiles.Doc doc;
    try {
      doc = YamlFiles.read(file, yaml);
    } catch (PolicyLoadException e) {
      problems.addAll(e.problems());
      return null;
    }
    int before = problems.size();
    MetadataReader.Fields f = new MetadataReader.Fields(file, doc, problems);
    f.onlyKnown(FIELDS);
    String declaredId = f.text("id", false);
    if (declaredId != null && !declaredId.equals(id)) {
      f.error("id", "'" + declaredId + "' must equal the file name '" + id + "'");
    }
    String policy = f.text("policy", true);
    if (policy != null && !policies.contains(policy)) {
      f.error(
          "policy", "'" + policy + "' is not a loaded policy " + new java.util.TreeSet<>(policies));
    }
    Map<String, List<String>> match = match(f, doc);
    String reason = f.text("reason", true);
    String owner = f.text("owner", true);
    String approvedBy = f.text("approvedBy", true);
    if (approvedBy != null && owner != null && approvedBy.equals(owner)) {
      f.error("approvedBy", "must be someone other than the owner (a second pair of eyes)");
    }
    Instant expires = null;
    String exp = f.text("expires", true);
    if (exp != null) {
      expires = parseExpiry(exp);
      if (expires == null) {
        f.error(
            "expires",
            "'"
                + exp
                + "' is not a date (2026-12-31) or an ISO-8601 date-time (2026-12-31T18:00Z)");
      } else if (expires.isAfter(now.plus(maxAhead))) {
        f.error(
            "expires",
            exp
                + " is more than "
                + maxAhead.toDays()
                + " days ahead (latest allowed: "
                + now.plus(maxAhead).atOffset(ZoneOffset.UTC).toLocalDate()
                + "); exceptions must be reviewed again before then");
      }
    }
    if (problems.size() != before) {
      return null;
    }
    return new PolicyException(id, file, policy, match, reason, owner, approvedBy, expires);
  }

  private static Map<String, List<String>> match(MetadataReader.Fields f, YamlFiles.Doc doc) {
    JsonNode m = f.node("match");
    if (m == null) {
      f.error(
          "match",
          "is required: say what the exception matches, with one or more of "
              + new java.util.TreeSet<>(PolicyException.MATCH_FIELDS.keySet()));
      return Map.of();
    }
    if (!m.isObject()) {
      f.error("match", "must be a mapping such as {principal: ..., account: ...}");
      return Map.of();
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = e.getKey();
      if (!PolicyException.MATCH_FIELDS.containsKey(field)) {
        f.error(
            "match",
            "unknown field '"
                + field
                + "' (known: "
                + new java.util.TreeSet<>(PolicyException.MATCH_FIELDS.keySet())
                + ")");
        continue;
      }
      List<String> values = new ArrayList<>();
      JsonNode v = e.getValue();
      if (v.isArray()) {
        v.forEach(x -> values.add(x.asText()));
      } else if (v.isValueNode() && !v.isNull()) {
        values.add(v.asText());
      }
      values.removeIf(String::isBlank);
      if (values.isEmpty()) {
        f.error("match", field + " must be text or a list of text");
        continue;
      }
      if (values.stream().anyMatch(s -> s.chars().allMatch(c -> c == '*'))) {
        f.error("match", field + ": '*' alone matches everything; leave the field out instead");
        continue;
      }
      out.put(field, List.copyOf(values));
    }
    if (out.isEmpty() && m.size() == 0) {
      f.error("match", "must name at least one field to match");
    }
    return out;
  }

  static Instant parseExpiry(String s) {
    try {
      return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException notDate) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException notDateTime) {
        try {
          return Instant.parse(s);
        } catch (DateTimeParseException e) {
          return null;
        }
      }
    }
  }
}
