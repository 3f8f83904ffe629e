package dev.portcullis.policy;

import java.util.List;

/**
 * A policy folder that cannot be loaded. Each problem names the file and, where known, the line:
 * {@code etcd-control-files/policy.drl:12: unable to resolve method ...}.
 */
public final class PolicyLoadException extends Exception {

  private final List<Problem> problems;
  private final List<Problem> warnings;

  public PolicyLoadException(List<Problem> problems) {
    this(problems, List.of());
  }

  /** With the warnings found on the way, so a failed load still shows them. */
  public PolicyLoadException(List<Problem> problems, List<Problem> warnings) {
    super(String.join("\n", problems.stream().map(Problem::toString).toList()));
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  public List<Problem> warnings() {
    return warnings;
  }

  public List<Problem> problems() {
    return problems;
  }
}
