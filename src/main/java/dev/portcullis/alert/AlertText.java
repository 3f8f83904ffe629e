package dev.portcullis.alert;

import dev.portcullis.policy.Enforcement;
import java.util.Locale;

/** The plain words every sink uses, so a page reads the same in PagerDuty, Slack and mail. */
final class AlertText {

  private AlertText() {}

  /** What Portcullis does (or would do) about the change. */
  static String whatItDoes(PendingAlert a) {
    Object revert = a.details() == null ? null : a.details().get("revert");
    if (revert != null) {
      // A revert record: Portcullis's own action on a blocked cloud change (docs/reverts.md).
      return "automatic revert ("
          + revert
          + "): what Portcullis did about a blocked change, as the summary says";
    }
    String does;
    if (a.action() == Enforcement.BLOCK) {
      does = "block: Portcullis stops this change (denied at admission, reverted in the cloud)";
    } else if (a.action() == Enforcement.ALERT) {
      does = "alert: notify only, the change was not stopped";
    } else {
      does = "record only";
    }
    if (a.verdict() != null && a.action() != null && a.verdict() != a.action()) {
      does +=
          "; the policy asks for "
              + a.verdict().wireName()
              + ", an operator override makes it "
              + a.action().wireName();
    }
    return does;
  }

  static String severity(PendingAlert a) {
    return a.severity() == null ? "INFO" : a.severity().wireName().toUpperCase(Locale.ROOT);
  }

  static String actor(PendingAlert a) {
    return a.actor() == null ? "unknown actor" : a.actor().describe();
  }

  static String target(PendingAlert a) {
    return a.targetRef() == null ? "unknown target" : a.targetRef();
  }

  /**
   * The API call and the service it went to, e.g. {@code StopLogging (cloudtrail.amazonaws.com)}.
   */
  static String change(PendingAlert a) {
    if (a.change() == null) {
      return "unknown change";
    }
    return a.service() == null ? a.change() : a.change() + " (" + a.service() + ")";
  }

  static String summary(PendingAlert a) {
    if (a.summary() != null && !a.summary().isBlank()) {
      return a.summary();
    }
    return (a.title() != null ? a.title() : a.policy()) + " on " + target(a);
  }

  static String title(PendingAlert a) {
    return a.title() != null && !a.title().isBlank() ? a.title() : a.policy();
  }
}
