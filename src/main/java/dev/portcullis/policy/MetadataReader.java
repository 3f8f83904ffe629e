package dev.portcullis.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.event.ChangeEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and validates one {@code <id>/policy.yaml}. Every missing or invalid field is reported with
 * the file, the line and the field name; fields it does not know are warnings (a typo such as
 * {@code enforcment} also shows up as the missing {@code enforcement}).
 */
final class MetadataReader {

  static final Set<String> SOURCES = Set.of(ChangeEvent.CLOUDTRAIL, ChangeEvent.K8S_AUDIT);

  static final List<String> FIELDS =
      List.of(
          "id",
          "title",
          "description",
          "severity",
          "enforcement",
          "owner",
          "runbook",
          "tags",
          "sources",
          "eventNames",
          "dedupWindow",
          "parameters");

  private MetadataReader() {}

  /**
   * @return the metadata, or null when it has errors (added to {@code problems})
   */
  static PolicyMetadata read(
      String id, byte[] yaml, List<Problem> problems, List<Problem> warnings) {
    String file = id + "/" + PolicyCompiler.METADATA;
    if (yaml == null) {
      problems.add(Problem.of(file, "missing: every policy folder needs its metadata"));
      return null;
    }
    YamlFiles.Doc doc;
    try {
      doc = YamlFiles.read(file, yaml);
    } catch (PolicyLoadException e) {
      problems.addAll(e.problems());
      return null;
    }
    int before = problems.size();
    Fields f = new Fields(file, doc, problems);
    for (Iterator<String> it = doc.root().fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        warnings.add(
            Problem.at(
                file,
                doc.line(name),
                "unknown field '" + name + "' is ignored (known fields: " + FIELDS + ")"));
      }
    }
    String declaredId = f.text("id", true);
    if (declaredId != null && !declaredId.equals(id)) {
      f.error("id", "'" + declaredId + "' must equal the folder name '" + id + "'");
    }
    String title = f.text("title", true);
    String description = f.text("description", true);
    Severity severity = f.severity("severity");
    Enforcement enforcement = f.enforcement("enforcement");
    String owner = f.text("owner", true);
    String runbook = f.text("runbook", true);
    if (runbook != null && !isHttpUrl(runbook)) {
      f.error("runbook", "'" + runbook + "' is not an http(s) URL");
    }
    List<String> tags = f.list("tags");
    List<String> sources = f.list("sources");
    if (sources != null) {
      for (String s : sources) {
        if (!SOURCES.contains(s)) {
          f.error("sources", "'" + s + "' is not an event source (cloudtrail, k8s-audit)");
        }
      }
    }
    List<String> eventNames = f.list("eventNames");
    Duration dedupWindow = null;
    String dedup = f.text("dedupWindow", false);
    if (dedup != null) {
      try {
        dedupWindow = Duration.parse(dedup);
        if (dedupWindow.isNegative() || dedupWindow.isZero()) {
          f.error("dedupWindow", "'" + dedup + "' must be a positive duration");
        }
      } catch (DateTimeParseException e) {
        f.error("dedupWindow", "'" + dedup + "' is not an ISO-8601 duration such as PT30M or PT1H");
      }
    }
    JsonNode parameters = doc.root().get("parameters");
    if (parameters != null && !parameters.isObject()) {
      f.error("parameters", "must be a mapping of parameter name to default value");
    }
    if (problems.size() != before) {
      return null;
    }
    return new PolicyMetadata(
        id,
        title,
        description,
        severity,
        enforcement,
        owner,
        runbook,
        tags,
        sources,
        eventNames,
        dedupWindow,
        parameters == null ? null : parameters.deepCopy());
  }

  static boolean isHttpUrl(String s) {
    try {
      URI u = new URI(s.trim());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https"))
          && u.getHost() != null
          && !u.getHost().isBlank();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** Typed access to the fields of a YAML mapping, reporting problems with file, line, field. */
  static final class Fields {
    private final String file;
    private final YamlFiles.Doc doc;
    private final List<Problem> problems;

    Fields(String file, YamlFiles.Doc doc, List<Problem> problems) {
      this.file = file;
      this.doc = doc;
      this.problems = problems;
    }

    void error(String field, String message) {
      int line = doc.line(field);
      problems.add(Problem.at(file, line == 0 ? 1 : line, field + ": " + message));
    }

    /** An error for every top-level field not in {@code known}. */
    void onlyKnown(Collection<String> known) {
      for (Iterator<String> it = doc.root().fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!known.contains(field)) {
          error(field, "unknown field (known fields: " + known + ")");
        }
      }
    }

    JsonNode node(String field) {
      JsonNode n = doc.root().get(field);
      return n == null || n.isNull() ? null : n;
    }

    String text(String field, boolean required) {
      JsonNode n = node(field);
      if (n == null) {
        if (required) {
          error(field, "is required");
        }
        return null;
      }
      if (!n.isValueNode()) {
        error(field, "must be text, not a " + YamlFiles.kind(n));
        return null;
      }
      String s = n.asText().trim();
      if (s.isEmpty()) {
        if (required) {
          error(field, "must not be empty");
        }
        return null;
      }
      return s;
    }

    List<String> list(String field) {
      JsonNode n = node(field);
      if (n == null) {
        error(field, "is required (a list)");
        return null;
      }
      List<String> out = new ArrayList<>();
      if (n.isValueNode()) {
        error(field, "must be a list such as [a, b], not a single value");
        return null;
      }
      if (!n.isArray()) {
        error(field, "must be a list, not a " + YamlFiles.kind(n));
        return null;
      }
      for (JsonNode e : n) {
        if (!e.isValueNode() || e.isNull() || e.asText().isBlank()) {
          error(field, "every entry must be non-empty text");
          return null;
        }
        out.add(e.asText().trim());
      }
      if (out.isEmpty()) {
        error(field, "must name at least one entry");
        return null;
      }
      return out;
    }

    Severity severity(String field) {
      String s = text(field, true);
      if (s == null) {
        return null;
      }
      try {
        return Severity.of(s);
      } catch (IllegalArgumentException e) {
        error(field, "'" + s + "' is not one of critical, high, medium, low, info");
        return null;
      }
    }

    Enforcement enforcement(String field) {
      String s = text(field, true);
      if (s == null) {
        return null;
      }
      try {
        Enforcement e = Enforcement.of(s);
        if (e.isPolicyMode()) {
          return e;
        }
      } catch (IllegalArgumentException ignored) {
        // reported below
      }
      error(field, "'" + s + "' is not one of block, alert, audit");
      return null;
    }
  }
}
