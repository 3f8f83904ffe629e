package dev.portcullis.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What Portcullis does with a policy's finding: {@code block} (deny at admission, revert in the
 * cloud), {@code alert} (page or notify), {@code audit} (record only).
 */
public enum Enforcement {
  BLOCK,
  ALERT,
  AUDIT;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Enforcement of(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }
}
