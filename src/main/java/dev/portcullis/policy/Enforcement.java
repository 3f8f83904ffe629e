package dev.portcullis.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What Portcullis does with a policy's finding: {@code block} (deny at admission, revert in the
 * cloud), {@code alert} (page or notify), {@code audit} (record only). {@code suppressed} is only
 * ever an effective action: a reviewed exception waived the finding, which is recorded (with the
 * exception's id) and not acted on. A policy or an operator override cannot ask for it.
 */
public enum Enforcement {
  BLOCK,
  ALERT,
  AUDIT,
  SUPPRESSED;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for the modes a policy (or an operator override) may set: block, alert, audit. */
  public boolean isPolicyMode() {
    return this != SUPPRESSED;
  }

  @JsonCreator
  public static Enforcement of(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }
}
