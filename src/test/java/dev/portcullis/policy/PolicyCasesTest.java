package dev.portcullis.policy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every test case under {@code rules/} as its own JUnit test (one container per policy), through
 * the same {@link PolicyTestSuite} as {@code java -jar quarkus-run.jar test}. A folder that does
 * not load (compile error, invalid case, a policy without a firing and a quiet case) fails the
 * build in the first test, {@code rules/ loads}.
 */
class PolicyCasesTest {

  @TestFactory
  List<DynamicNode> policyCases() throws IOException {
    PolicyTestSuite suite = PolicyTestSuite.load(Path.of("rules"));
    List<DynamicNode> nodes = new ArrayList<>();
    nodes.add(
        DynamicTest.dynamicTest(
            "rules/ loads",
            () -> {
              if (!suite.problems().isEmpty()) {
                fail(
                    "rules/ does not load:\n"
                        + suite.problems().stream()
                            .map(p -> p.describe("rules/"))
                            .collect(Collectors.joining("\n")));
              }
            }));
    suite.cases().stream()
        .map(PolicyTestCase::policy)
        .distinct()
        .sorted()
        .forEach(
            policy ->
                nodes.add(
                    DynamicContainer.dynamicContainer(
                        policy,
                        suite.cases().stream()
                            .filter(c -> c.policy().equals(policy))
                            .map(
                                c ->
                                    DynamicTest.dynamicTest(
                                        c.name(),
                                        Path.of("rules", c.file()).toUri(),
                                        () -> {
                                          CaseResult r = suite.run(c);
                                          if (!r.passed()) {
                                            fail("rules/" + c.file() + "\n" + r.failure());
                                          }
                                        })))));
    return nodes;
  }
}
