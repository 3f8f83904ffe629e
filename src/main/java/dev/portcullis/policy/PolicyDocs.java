package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders {@code docs/policies.md} from the policies' metadata, test cases and exceptions, so the
 * documentation never drifts from the rules. Deterministic: the same folder gives the same bytes
 * (no dates, stable order). Regenerate with {@link #COMMAND}.
 */
public final class PolicyDocs {

  /** The one command that regenerates the file. */
  public static final String COMMAND = "java -jar target/quarkus-app/quarkus-run.jar docs";

  /** Where the file lives in the repository. */
  public static final String FILE = "docs/policies.md";

  private PolicyDocs() {}

  /**
   * @param suite a loaded suite whose policies compile
   * @throws IllegalArgumentException when the policies do not compile
   */
  public static String render(PolicyTestSuite suite) {
    PolicySet set = suite.policySet();
    if (set == null) {
      throw new IllegalArgumentException("the policies do not compile: " + suite.problems());
    }
    StringBuilder md = new StringBuilder();
    md.append("# Policies\n\n");
    md.append("<!-- Generated from rules/ by `")
        .append(COMMAND)
        .append(
            "`. Do not edit: change the policy's policy.yaml or tests/ and regenerate. -->\n\n");
    md.append(
        "Each policy lives in `rules/<id>/` (rule, metadata, test cases). Enforcement is what the"
            + " policy asks for; an operator can override it per policy with"
            + " `portcullis.policy.enforcement.\"<id>\"=audit` (see `GET /v1/policies` for the"
            + " effective mode).\n\n");
    md.append("| Policy | Severity | Enforcement | Owner | Sources |\n");
    md.append("|---|---|---|---|---|\n");
    for (PolicyMetadata p : set.policies().values()) {
      md.append("| [")
          .append(p.id())
          .append("](#")
          .append(p.id())
          .append(") | ")
          .append(p.severity().wireName())
          .append(" | ")
          .append(p.enforcement().wireName())
          .append(" | ")
          .append(cell(p.owner()))
          .append(" | ")
          .append(String.join(", ", p.sources()))
          .append(" |\n");
    }
    for (PolicyMetadata p : set.policies().values()) {
      md.append("\n## ").append(p.id()).append("\n\n");
      md.append("**").append(p.title().strip()).append("**\n\n");
      md.append(p.description().strip()).append("\n\n");
      md.append("- Severity: ").append(p.severity().wireName()).append('\n');
      md.append("- Enforcement: ").append(p.enforcement().wireName()).append('\n');
      md.append("- Owner: ").append(p.owner()).append('\n');
      md.append("- Runbook: <").append(p.runbook()).append(">\n");
      md.append("- Sources: ").append(String.join(", ", p.sources())).append('\n');
      md.append("- Event names: ")
          .append(p.eventNames().stream().map(n -> "`" + n + "`").collect(Collectors.joining(", ")))
          .append('\n');
      md.append("- Tags: ").append(String.join(", ", p.tags())).append('\n');
      if (p.dedupWindow() != null) {
        md.append("- Alert dedup window: ").append(p.dedupWindow()).append('\n');
      }
      String parameters = suite.metadataSource(p.id()).map(PolicyDocs::parametersBlock).orElse("");
      if (!parameters.isEmpty()) {
        md.append("\n### Parameters\n\n");
        md.append("The defaults, as `rules/")
            .append(p.id())
            .append(
                "/policy.yaml` sets them. Override any of them with `portcullis.policy.parameters.\"")
            .append(p.id())
            .append(
                "\"={...}` (a JSON object merged over the defaults: the keys it names win, a list replaces the")
            .append(" default list); a test case sets them with")
            .append(" `parameters:`.\n\n```yaml\n")
            .append(parameters)
            .append("```\n");
      }
      List<PolicyTestCase> cases =
          suite.cases().stream()
              .filter(c -> c.policy().equals(p.id()))
              .sorted(Comparator.comparing(PolicyTestCase::name))
              .toList();
      md.append("\n### Examples (test cases)\n\n");
      md.append("| Case | What it shows | Expected |\n|---|---|---|\n");
      for (PolicyTestCase c : cases) {
        md.append("| [`")
            .append(c.name())
            .append("`](../rules/")
            .append(c.file())
            .append(") | ")
            .append(cell(c.description()))
            .append(" | ")
            .append(cell(outcome(c)))
            .append(" |\n");
      }
      List<PolicyException> exceptions =
          set.exceptions().stream().filter(e -> e.policy().equals(p.id())).toList();
      if (!exceptions.isEmpty()) {
        md.append("\n### Exceptions\n\n");
        md.append("| Exception | Matches | Expires | Owner | Approved by | Reason |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (PolicyException e : exceptions) {
          md.append("| [`")
              .append(e.id())
              .append("`](../rules/")
              .append(e.file())
              .append(") | ")
              .append(cell(e.match().toString()))
              .append(" | ")
              .append(e.expires())
              .append(" | ")
              .append(cell(e.owner()))
              .append(" | ")
              .append(cell(e.approvedBy()))
              .append(" | ")
              .append(cell(e.reason()))
              .append(" |\n");
        }
      }
    }
    return md.toString();
  }

  /**
   * The {@code parameters:} block of a policy.yaml as written, comments included (they explain each
   * parameter), up to the next top-level key; empty when there is none.
   */
  static String parametersBlock(String yaml) {
    StringBuilder out = new StringBuilder();
    boolean inside = false;
    List<String> pendingComments = new ArrayList<>();
    for (String line : yaml.split("\\R", -1)) {
      boolean topLevel = !line.isEmpty() && !Character.isWhitespace(line.charAt(0));
      if (!inside) {
        if (line.startsWith("parameters:")) {
          inside = true;
          out.append(line.stripTrailing()).append('\n');
        }
        continue;
      }
      if (topLevel && !line.startsWith("#")) {
        break; // the next key; comments just before it belong to it
      }
      if (line.startsWith("#") || line.isBlank()) {
        pendingComments.add(line.stripTrailing());
        continue;
      }
      pendingComments.forEach(c -> out.append(c).append('\n'));
      pendingComments.clear();
      out.append(line.stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static String outcome(PolicyTestCase c) {
    List<List<PolicyTestCase.Expectation>> each = c.expectEach();
    boolean perEvent = each.size() > 1 && each.stream().allMatch(l -> l != null);
    if (perEvent) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < each.size(); i++) {
        sb.append(i == 0 ? "" : "; ").append("event ").append(i + 1).append(": ");
        sb.append(describe(each.get(i)));
      }
      return sb.toString();
    }
    return describe(c.finalExpectation());
  }

  private static String describe(List<PolicyTestCase.Expectation> l) {
    if (l.isEmpty()) {
      return "does not fire";
    }
    return l.stream()
        .map(
            e ->
                e.action().wireName()
                    + ", "
                    + e.severity().wireName()
                    + (e.exception() == null ? "" : " (exception " + e.exception() + ")"))
        .collect(Collectors.joining("; "));
  }

  private static String cell(String s) {
    return s == null ? "" : s.strip().replace("\n", " ").replace("|", "\\|");
  }
}
