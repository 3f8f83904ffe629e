package dev.portcullis.enforce.revert;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one revert did: done, dry run (the calls it would have made), skipped (and why) or failed
 * (and why), in one sentence, with the API calls it made or would make and the facts behind it.
 *
 * @param status what happened
 * @param reason why it was skipped or failed, a bounded code (also a metric tag); {@code none} for
 *     done and dry runs
 * @param summary one sentence with the concrete names in it
 * @param calls the write calls made (done), or that would have been made (dry run): operation and
 *     its parameters, the full lifecycle configuration or change batch included
 * @param details further facts (what was found, what was put back)
 */
public record RevertOutcome(
    Status status,
    String reason,
    String summary,
    List<Map<String, Object>> calls,
    Map<String, Object> details) {

  /** What happened. */
  public enum Status {
    DONE("done"),
    DRY_RUN("dry-run"),
    SKIPPED("skipped"),
    FAILED("failed");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    /** The lower-case word records and metrics use. */
    public String wire() {
      return wire;
    }
  }

  // Reasons (bounded: they are metric tags).
  public static final String NONE = "none";

  /** The resource no longer is what the event made it: a later change; left alone. */
  public static final String LATER_CHANGE = "later-change";

  /** The resource already is what the revert would make it (reverted before, here or elsewhere). */
  public static final String ALREADY_REVERTED = "already-reverted";

  /** What the resource was before the change is not known. */
  public static final String PREVIOUS_UNKNOWN = "previous-unknown";

  /** An IaC identity keeps re-applying the change: Portcullis stopped reverting it. */
  public static final String IAC_LIMIT = "iac-limit";

  /** Portcullis made the change itself. */
  public static final String OWN_CHANGE = "own-change";

  /** A deleted object has no version to come back from. */
  public static final String NOT_RESTORABLE = "not-restorable";

  /** There is no automatic revert for this kind of change. */
  public static final String NOT_SUPPORTED = "not-supported";

  /** A call to the cloud API failed. */
  public static final String API_ERROR = "api-error";

  /** Something unexpected went wrong in Portcullis. */
  public static final String INTERNAL_ERROR = "internal-error";

  public RevertOutcome {
    calls = calls == null ? List.of() : List.copyOf(calls);
    details = details == null ? Map.of() : new LinkedHashMap<>(details);
  }

  static RevertOutcome done(
      boolean dryRun, String summary, List<Map<String, Object>> calls, Map<String, Object> d) {
    return new RevertOutcome(dryRun ? Status.DRY_RUN : Status.DONE, NONE, summary, calls, d);
  }

  static RevertOutcome skipped(String reason, String summary, Map<String, Object> d) {
    return new RevertOutcome(Status.SKIPPED, reason, summary, List.of(), d);
  }

  static RevertOutcome failed(String reason, String summary, Map<String, Object> d) {
    return new RevertOutcome(Status.FAILED, reason, summary, List.of(), d);
  }

  /** True when the revert changed (or, in a dry run, would have changed) the resource. */
  public boolean reverted() {
    return status == Status.DONE || status == Status.DRY_RUN;
  }
}
