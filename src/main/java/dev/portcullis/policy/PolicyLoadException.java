package dev.portcullis.policy;

import java.util.List;

/**
 * A policy folder that cannot be loaded. Each problem names the file and, where known, the line:
 * {@code etcd-control-files/policy.drl:12: unable to resolve method ...}.
 */
public final class PolicyLoadException extends Exception {

  private final List<String> problems;

  public PolicyLoadException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
