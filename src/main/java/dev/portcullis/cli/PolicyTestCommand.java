package dev.portcullis.cli;

import dev.portcullis.enrich.Enrichment;
import dev.portcullis.policy.CaseResult;
import dev.portcullis.policy.PolicyTestSuite;
import dev.portcullis.policy.Problem;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code test [rules-dir]}: compiles the policies strictly and runs every test case, printing one
 * line per case ({@code PASS}/{@code FAIL}, policy, case; on failure expected vs actual), the
 * warnings, and a summary line. Exit code: 0 all passed; 1 a case failed; 2 the policies or a case
 * file do not load (each error with its file and line).
 */
public final class PolicyTestCommand {

  private PolicyTestCommand() {}

  public static int run(String[] args, PrintStream out) {
    Cli.quietLogs();
    Cli.Folder folder;
    try {
      folder = Cli.folder(args);
    } catch (IOException e) {
      out.println("ERROR " + e.getMessage());
      return 2;
    }
    out.println("Testing policies in " + folder.origin());
    PolicyTestSuite suite =
        PolicyTestSuite.load(folder.files(), Cli.strictCompiler(), Enrichment.standard());
    for (Problem w : suite.warnings()) {
      out.println("WARN  " + w.describe(folder.base()));
    }
    int passed = 0;
    int failed = 0;
    if (suite.policySet() != null) {
      List<CaseResult> results = suite.runAll();
      for (CaseResult r : results) {
        if (r.passed()) {
          passed++;
          out.printf("PASS  %s  %s%n", r.testCase().policy(), r.testCase().name());
        } else {
          failed++;
          out.printf(
              "FAIL  %s  %s  (%s%s)%n",
              r.testCase().policy(), r.testCase().name(), folder.base(), r.testCase().file());
          r.failure().lines().forEach(l -> out.println("      " + l));
        }
      }
    }
    for (Problem p : suite.problems()) {
      out.println("ERROR " + p.describe(folder.base()));
    }
    int errors = suite.problems().size();
    out.println(
        "Summary: "
            + passed
            + " passed, "
            + failed
            + " failed"
            + (errors == 0 ? "" : ", " + errors + " load error" + (errors == 1 ? "" : "s")));
    if (errors > 0) {
      return 2;
    }
    return failed > 0 ? 1 : 0;
  }
}
