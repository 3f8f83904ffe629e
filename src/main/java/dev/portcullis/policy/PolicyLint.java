package dev.portcullis.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every CloudTrail event name a policy names is one CloudTrail really emits: the {@code
 * eventNames} of its policy.yaml, and the string literals its DRL compares {@code action} with
 * ({@code action == "StopLogging"}, {@code action in ("A", "B")}, {@code getAction().equals("A")}).
 * A rule that matches a name CloudTrail never logs stays silent forever.
 *
 * <p>Only policies whose {@code sources} include {@code cloudtrail} are checked. When a policy also
 * judges Kubernetes audit events, names that start with a lower-case letter are taken for
 * Kubernetes verbs ({@code create}, {@code patch}) and skipped: CloudTrail names are UpperCamel.
 */
final class PolicyLint {

  /** {@code action == "X"}, {@code action != "X"}, {@code "X" == action}. */
  private static final Pattern COMPARE =
      Pattern.compile(
          "(?:(?<![\\w.$])action|getAction\\(\\))\\s*[!=]=\\s*\"([^\"\\\\]*)\""
              + "|\"([^\"\\\\]*)\"\\s*[!=]=\\s*(?:action(?![\\w(])|getAction\\(\\))");

  /** {@code action == "X"}, {@code "X" == action}. */
  private static final Pattern EQUAL =
      Pattern.compile(
          "(?:(?<![\\w.$])action|getAction\\(\\))\\s*==\\s*\"([^\"\\\\]*)\""
              + "|\"([^\"\\\\]*)\"\\s*==\\s*(?:action(?![\\w(])|getAction\\(\\))");

  /** {@code action in ("A", "B")}, {@code action not in (...)}. */
  private static final Pattern IN_LIST =
      Pattern.compile("(?:(?<![\\w.$])action|getAction\\(\\))\\s+(?:not\\s+)?in\\s*\\(([^)]*)\\)");

  /** {@code getAction().equals("A")}, {@code "A".equals($e.getAction())}. */
  private static final Pattern EQUALS_CALL =
      Pattern.compile(
          "getAction\\(\\)\\s*\\.\\s*equals(?:IgnoreCase)?\\(\\s*\"([^\"\\\\]*)\"\\s*\\)"
              + "|\"([^\"\\\\]*)\"\\s*\\.\\s*equals(?:IgnoreCase)?\\(\\s*[\\w$.]*getAction\\(\\)\\s*\\)");

  /** {@code eventNames: ["*"]}: a policy about every write (console changes), not named events. */
  static final String ANY = "*";

  private static final Pattern STRING = Pattern.compile("\"([^\"\\\\]*)\"");

  private PolicyLint() {}

  /**
   * @param strict when true (the {@code test} command) unknown names are errors; otherwise warnings
   */
  static void check(
      PolicyMetadata meta,
      Map<String, byte[]> drlFiles,
      Map<String, Integer> metadataLines,
      CloudTrailCatalog catalog,
      boolean strict,
      List<Problem> problems,
      List<Problem> warnings) {
    checkCatalog(meta, drlFiles, metadataLines, catalog, strict, problems, warnings);
    checkRouted(meta, drlFiles, strict, problems, warnings);
  }

  private static void checkCatalog(
      PolicyMetadata meta,
      Map<String, byte[]> drlFiles,
      Map<String, Integer> metadataLines,
      CloudTrailCatalog catalog,
      boolean strict,
      List<Problem> problems,
      List<Problem> warnings) {
    if (!meta.judgesCloudTrail()) {
      return;
    }
    boolean mixed = meta.sources().size() > 1;
    String yaml = meta.id() + "/" + PolicyCompiler.METADATA;
    int eventNamesLine = metadataLines.getOrDefault("eventNames", 0);
    for (String name : meta.eventNames()) {
      if (mixed && !startsUpper(name) || name.equals(ANY)) {
        continue;
      }
      report(
          catalog,
          name,
          Problem.at(yaml, eventNamesLine, "eventNames: "),
          strict,
          problems,
          warnings);
    }
    for (Map.Entry<String, byte[]> drl : drlFiles.entrySet()) {
      for (Map.Entry<Integer, List<String>> e :
          actionLiterals(new String(drl.getValue(), StandardCharsets.UTF_8)).entrySet()) {
        for (String name : e.getValue()) {
          if (mixed && !startsUpper(name)) {
            continue;
          }
          report(
              catalog,
              name,
              Problem.at(drl.getKey(), e.getKey(), "action compared with "),
              strict,
              problems,
              warnings);
        }
      }
    }
  }

  /**
   * A rule that compares {@code action} with a name its policy.yaml does not list can never see
   * such an event: events are routed to a policy by its {@code eventNames} ({@link PolicyRoutes}).
   */
  private static void checkRouted(
      PolicyMetadata meta,
      Map<String, byte[]> drlFiles,
      boolean strict,
      List<Problem> problems,
      List<Problem> warnings) {
    if (meta.eventNames().contains(ANY)) {
      return;
    }
    for (Map.Entry<String, byte[]> drl : drlFiles.entrySet()) {
      for (Map.Entry<Integer, List<String>> e :
          routedLiterals(new String(drl.getValue(), StandardCharsets.UTF_8)).entrySet()) {
        for (String name : e.getValue()) {
          if (meta.eventNames().contains(name)) {
            continue;
          }
          Problem p =
              Problem.at(
                  drl.getKey(),
                  e.getKey(),
                  "action compared with '"
                      + name
                      + "', which is not in eventNames of "
                      + meta.id()
                      + "/"
                      + PolicyCompiler.METADATA
                      + ": events are routed to a policy by its eventNames, so this rule never sees"
                      + " a "
                      + name
                      + " event (add it to eventNames, or use [\"*\"])");
          (strict ? problems : warnings).add(p);
        }
      }
    }
  }

  private static void report(
      CloudTrailCatalog catalog,
      String name,
      Problem where,
      boolean strict,
      List<Problem> problems,
      List<Problem> warnings) {
    CloudTrailCatalog.Verdict v = catalog.check(name);
    if (v.known() && v.hint() == null) {
      return;
    }
    String text =
        where.message()
            + "'"
            + name
            + "'"
            + (v.known() ? ": " : " is not a CloudTrail event name")
            + (v.hint() == null ? "" : (v.known() ? "" : "; ") + v.hint());
    Problem p = new Problem(where.file(), where.line(), text);
    if (!v.known() && strict) {
      problems.add(p);
    } else {
      warnings.add(p);
    }
  }

  private static boolean startsUpper(String s) {
    return !s.isEmpty() && Character.isUpperCase(s.charAt(0));
  }

  /** The string literals compared with {@code action}, by 1-based line, comments excluded. */
  static Map<Integer, List<String>> actionLiterals(String drl) {
    String code = stripComments(drl);
    Map<Integer, List<String>> out = new LinkedHashMap<>();
    compared(code, COMPARE, out);
    compared(code, EQUALS_CALL, out);
    inLists(code, true, out);
    return out;
  }

  /**
   * The names a rule requires {@code action} to be ({@code action == "X"}, {@code action in ("X",
   * "Y")}), by 1-based line: what a policy must list in its eventNames to see those events.
   */
  static Map<Integer, List<String>> routedLiterals(String drl) {
    String code = stripComments(drl);
    Map<Integer, List<String>> out = new LinkedHashMap<>();
    compared(code, EQUAL, out);
    inLists(code, false, out);
    return out;
  }

  /** The literal of each match of a pattern whose first or second group holds it. */
  private static void compared(String code, Pattern pattern, Map<Integer, List<String>> out) {
    Matcher m = pattern.matcher(code);
    while (m.find()) {
      add(out, lineOf(code, m.start()), m.group(1) != null ? m.group(1) : m.group(2));
    }
  }

  /** The literals of {@code action in (...)}; of {@code not in} too when {@code negated}. */
  private static void inLists(String code, boolean negated, Map<Integer, List<String>> out) {
    Matcher m = IN_LIST.matcher(code);
    while (m.find()) {
      if (!negated && m.group().matches("(?s).*\\s+not\\s+in\\s*\\(.*")) {
        continue;
      }
      Matcher s = STRING.matcher(m.group(1));
      while (s.find()) {
        add(out, lineOf(code, m.start(1) + s.start()), s.group(1));
      }
    }
  }

  private static void add(Map<Integer, List<String>> out, int line, String name) {
    List<String> names = out.computeIfAbsent(line, k -> new ArrayList<>());
    if (!names.contains(name)) {
      names.add(name);
    }
  }

  private static int lineOf(String s, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (s.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /** Blanks out comments (keeping line breaks, so lines stay right) but not string contents. */
  static String stripComments(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        int end = i + 1;
        while (end < s.length() && s.charAt(end) != '"' && s.charAt(end) != '\n') {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(end + 1, s.length());
        out.append(s, i, end);
        i = end;
      } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/'
          || c == '#' && lineStart(s, i)) {
        while (i < s.length() && s.charAt(i) != '\n') {
          out.append(' ');
          i++;
        }
      } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
        int end = s.indexOf("*/", i + 2);
        end = end < 0 ? s.length() : end + 2;
        for (int k = i; k < end; k++) {
          out.append(s.charAt(k) == '\n' ? '\n' : ' ');
        }
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static boolean lineStart(String s, int i) {
    for (int k = i - 1; k >= 0 && s.charAt(k) != '\n'; k--) {
      if (!Character.isWhitespace(s.charAt(k))) {
        return false;
      }
    }
    return true;
  }
}
