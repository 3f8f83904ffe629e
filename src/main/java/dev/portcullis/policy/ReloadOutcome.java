package dev.portcullis.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What one attempt to (re)load the policies came to.
 *
 * @param result loaded, unchanged (same content hash: nothing swapped) or rejected
 * @param trigger what asked for it: {@code startup}, {@code api}, {@code file-watcher}
 * @param at when it was attempted
 * @param version the content hash of what was read
 * @param problems why it was rejected, each with file and line (empty otherwise)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ReloadOutcome(
    Result result, String trigger, Instant at, String version, List<String> problems) {

  /** The three ways a reload ends. */
  public enum Result {
    LOADED,
    UNCHANGED,
    REJECTED;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
