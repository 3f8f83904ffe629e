package dev.portcullis.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * Entry point of {@code quarkus-run.jar}. Authoring commands run here, before (and instead of)
 * booting the service, so they start neither Kafka nor the HTTP server:
 *
 * <pre>
 * java -jar target/quarkus-app/quarkus-run.jar test [rules-dir]   # run every policy test case
 * java -jar target/quarkus-app/quarkus-run.jar docs [rules-dir] [out.md]   # regenerate docs/policies.md
 * java -jar target/quarkus-app/quarkus-run.jar backtest [rules-dir] --from <history>   # replay history
 * </pre>
 *
 * Anything else (usually no arguments) starts the service.
 */
@QuarkusMain
public class PortcullisMain {

  public static void main(String... args) {
    String command = args.length == 0 ? "" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "test" -> System.exit(PolicyTestCommand.run(rest, System.out));
      case "docs" -> System.exit(PolicyDocsCommand.run(rest, System.out));
      case "backtest" -> System.exit(BacktestCommand.run(rest, System.out, System.err));
      case "help", "--help", "-h" -> {
        System.out.println(
            """
            usage: java -jar quarkus-run.jar [command]
              (no command)          start the service
              test [rules-dir]      run every policy's test cases (default: ./rules, else the bundled policies)
              docs [rules-dir] [out]  regenerate the policy documentation (default: rules -> docs/policies.md)
              backtest [rules-dir] --from <folder|file|s3://bucket/prefix|lookup:24h> [--k8s-audit <file|folder>]
                                    what each policy would have flagged in that history, with examples""");
        System.exit(0);
      }
      default -> Quarkus.run(args);
    }
  }
}
