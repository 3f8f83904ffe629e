package dev.portcullis.policy;

/**
 * One thing wrong (or worth a warning) in a policy folder, with where it is: a file relative to the
 * folder, and a line when known. Printed as {@code cloudtrail-stopped/policy.drl:7: message}.
 *
 * @param file path relative to the policies folder ({@code <id>/policy.yaml}); null when the
 *     problem is about the folder as a whole
 * @param line 1-based line, or 0 when unknown
 * @param message what is wrong and, where possible, how to fix it
 */
public record Problem(String file, int line, String message) {

  public static Problem of(String file, String message) {
    return new Problem(file, 0, message);
  }

  public static Problem at(String file, int line, String message) {
    return new Problem(file, Math.max(0, line), message);
  }

  /** Where it is: {@code file:line}, {@code file}, or empty. */
  public String location() {
    if (file == null) {
      return "";
    }
    return line > 0 ? file + ":" + line : file;
  }

  /** The same text with {@code base} (such as {@code rules/}) in front of the file. */
  public String describe(String base) {
    String where = location();
    if (where.isEmpty()) {
      return message;
    }
    return (base == null || base.isEmpty() ? "" : base) + where + ": " + message;
  }

  @Override
  public String toString() {
    return describe("");
  }
}
