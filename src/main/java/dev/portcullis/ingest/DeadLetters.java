package dev.portcullis.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.SecretRedactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prepares what goes to the dead-letter topic: the input as it came, except for secret material,
 * which never leaves the process even inside a poison record.
 */
final class DeadLetters {

  /** A secret-bearing field in text that is not valid JSON: the value is cut out. */
  private static final Pattern SECRET_FIELD =
      Pattern.compile(
          "\"(data|stringData|SecretString|SecretBinary|secretString|secretBinary"
              + "|kubectl\\.kubernetes\\.io/last-applied-configuration)\"\\s*:\\s*"
              + "(\"(?:[^\"\\\\]|\\\\.)*\"|\\{[^{}]*\\})");

  /** What is left of a secret-bearing field after the first pass: the text is cut there. */
  private static final Pattern SECRET_MARKER =
      Pattern.compile(
          "(?i)\"(data|stringData|SecretString|SecretBinary)\\\\?\"\\s*:\\s*(?:[^\"\\s]|\"[^<])"
              + "|last-applied-configuration\\\\?\"\\s*:\\s*\\\\?\"[^<]");

  private DeadLetters() {}

  /**
   * The payload to dead-letter: the original bytes when they hold no secret material; otherwise a
   * copy with it removed (re-serialised JSON, or for broken JSON the offending values cut out).
   */
  static byte[] scrub(byte[] original, ObjectMapper mapper) {
    if (original == null || original.length == 0) {
      return new byte[0];
    }
    if ((original[0] & 0xff) == 0x1f) {
      return original; // compressed bytes that failed to decode: nothing readable to remove
    }
    try {
      JsonNode node = mapper.readTree(original);
      if (node != null) {
        List<String> removed = SecretRedactor.redact(node);
        return removed.isEmpty() ? original : mapper.writeValueAsBytes(node);
      }
    } catch (IOException notJson) {
      // fall through to the textual scrub
    }
    String text = new String(original, StandardCharsets.UTF_8);
    String scrubbed = SECRET_FIELD.matcher(text).replaceAll("\"$1\":\"<removed>\"");
    // A value the first pass could not delimit (truncated input, escaped JSON in a string):
    // everything from there on is dropped rather than risk it.
    Matcher rest = SECRET_MARKER.matcher(scrubbed);
    if (rest.find()) {
      scrubbed = scrubbed.substring(0, rest.start()) + "<cut: secret material follows>";
    }
    return scrubbed.equals(text) ? original : scrubbed.getBytes(StandardCharsets.UTF_8);
  }
}
