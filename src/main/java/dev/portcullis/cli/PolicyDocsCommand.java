package dev.portcullis.cli;

import dev.portcullis.enrich.Enrichment;
import dev.portcullis.policy.PolicyDocs;
import dev.portcullis.policy.PolicyTestSuite;
import dev.portcullis.policy.Problem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code docs [rules-dir] [out]}: regenerates the policy documentation ({@code docs/policies.md})
 * from the policies' metadata, test cases and exceptions. Exit code 2 when the policies do not
 * load.
 */
public final class PolicyDocsCommand {

  private PolicyDocsCommand() {}

  public static int run(String[] args, PrintStream out) {
    Cli.quietLogs();
    Cli.Folder folder;
    try {
      folder = Cli.folder(args.length > 0 ? new String[] {args[0]} : args);
    } catch (IOException e) {
      out.println("ERROR " + e.getMessage());
      return 2;
    }
    Path target = Path.of(args.length > 1 ? args[1] : PolicyDocs.FILE);
    PolicyTestSuite suite =
        PolicyTestSuite.load(folder.files(), Cli.strictCompiler(), Enrichment.standard());
    if (suite.policySet() == null) {
      for (Problem p : suite.problems()) {
        out.println("ERROR " + p.describe(folder.base()));
      }
      return 2;
    }
    try {
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      Files.writeString(target, PolicyDocs.render(suite), StandardCharsets.UTF_8);
    } catch (IOException e) {
      out.println("ERROR cannot write " + target + ": " + e.getMessage());
      return 2;
    }
    out.println("Wrote " + target + " (" + suite.policySet().policies().size() + " policies)");
    return 0;
  }
}
