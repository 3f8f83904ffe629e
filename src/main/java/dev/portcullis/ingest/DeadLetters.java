package dev.portcullis.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.event.SecretRedactor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Prepares what goes to the dead-letter topic: the input as it came, except for secret material,
 * which never leaves the process even inside a poison record.
 *
 * <p>Gzip input is looked into: when its content holds secret material, the dead letter carries the
 * scrubbed, decompressed content instead. JSON strings that hold JSON (a CloudWatch Logs message,
 * an exported audit event) are scrubbed like the document around them.
 */
public final class DeadLetters {

  /** Most decompressed bytes looked at; a dead letter is cut there rather than left unchecked. */
  static final int MAX_INFLATED = 64 * 1024 * 1024;

  /** How deep JSON held in JSON strings is followed. */
  private static final int MAX_NESTING = 4;

  /** A secret-bearing field in text that is not valid JSON: the value is cut out. */
  private static final Pattern SECRET_FIELD =
      Pattern.compile(
          "\"(data|stringData|SecretString|SecretBinary|secretString|secretBinary"
              + "|kubectl\\.kubernetes\\.io/last-applied-configuration)\"\\s*:\\s*"
              + "(\"(?:[^\"\\\\]|\\\\.)*\"|\\{[^{}]*\\})");

  /** What is left of a secret-bearing field after the first pass: the text is cut there. */
  private static final Pattern SECRET_MARKER =
      Pattern.compile(
          "(?i)\"(data|stringData|SecretString|SecretBinary)\\\\?\"\\s*:\\s*"
              + "(?:[^\"\\s]|\"(?!<removed>\"))"
              + "|last-applied-configuration\\\\?\"\\s*:\\s*\\\\?\"(?!<removed>\")");

  /** A JSON-patch operation on a Secret's values; the text is cut from the operation's start. */
  private static final Pattern SECRET_PATCH =
      Pattern.compile("\"path\\\\?\"\\s*:\\s*\\\\?\"/(?:data|stringData)(?:/|\\\\?\")");

  private DeadLetters() {}

  /**
   * The payload to dead-letter: the original bytes when they hold no secret material; otherwise a
   * copy with it removed (re-serialised JSON, or for broken JSON the offending values cut out).
   */
  public static byte[] scrub(byte[] original, ObjectMapper mapper) {
    if (original == null || original.length == 0) {
      return new byte[0];
    }
    if (original.length >= 2 && (original[0] & 0xff) == 0x1f && (original[1] & 0xff) == 0x8b) {
      return scrubGzip(original, mapper);
    }
    return scrubPlain(original, mapper);
  }

  private static byte[] scrubGzip(byte[] original, ObjectMapper mapper) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean complete = true;
    boolean tooLarge = false;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(original))) {
      byte[] buf = new byte[16384];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > MAX_INFLATED) {
          complete = false;
          tooLarge = true;
          break;
        }
        out.write(buf, 0, n);
      }
    } catch (IOException corrupt) {
      complete = false; // what was read is checked; the rest cannot be read by anyone
    }
    byte[] plain = out.toByteArray();
    byte[] scrubbed = complete ? scrubPlain(plain, mapper) : scrubText(plain);
    if (tooLarge) {
      return (new String(scrubbed, StandardCharsets.UTF_8)
              + "<cut: decompresses to more than "
              + MAX_INFLATED
              + " bytes, not checked beyond>")
          .getBytes(StandardCharsets.UTF_8);
    }
    return scrubbed == plain ? original : scrubbed;
  }

  /** Uncompressed bytes: the same array when there is nothing to remove. */
  private static byte[] scrubPlain(byte[] original, ObjectMapper mapper) {
    try {
      JsonNode node =
          mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(original);
      if (node != null && !node.isMissingNode()) {
        boolean changed = redactTree(node, mapper, 0);
        return changed ? mapper.writeValueAsBytes(node) : original;
      }
    } catch (IOException notJson) {
      // fall through to the textual scrub
    }
    return scrubText(original);
  }

  /** Redacts a tree and the JSON held in its strings; true when anything was removed. */
  private static boolean redactTree(JsonNode node, ObjectMapper mapper, int nesting) {
    List<String> removed = SecretRedactor.redact(node);
    return redactStrings(node, mapper, nesting) || !removed.isEmpty();
  }

  private static boolean redactStrings(JsonNode node, ObjectMapper mapper, int nesting) {
    boolean changed = false;
    if (node instanceof ObjectNode obj) {
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isTextual()) {
          String scrubbed = scrubString(e.getValue().textValue(), mapper, nesting);
          if (scrubbed != null) {
            e.setValue(obj.textNode(scrubbed));
            changed = true;
          }
        } else {
          changed |= redactStrings(e.getValue(), mapper, nesting);
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        if (arr.get(i).isTextual()) {
          String scrubbed = scrubString(arr.get(i).textValue(), mapper, nesting);
          if (scrubbed != null) {
            arr.set(i, arr.textNode(scrubbed));
            changed = true;
          }
        } else {
          changed |= redactStrings(arr.get(i), mapper, nesting);
        }
      }
    }
    return changed;
  }

  /** A string that may hold secret material: its scrubbed form, or null when it is clean. */
  private static String scrubString(String s, ObjectMapper mapper, int nesting) {
    if (!SECRET_MARKER.matcher(s).find() && !SECRET_PATCH.matcher(s).find()) {
      return null;
    }
    if (nesting < MAX_NESTING) {
      try {
        JsonNode inner =
            mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(s);
        if (inner != null && inner.isContainerNode()) {
          return redactTree(inner, mapper, nesting + 1) ? mapper.writeValueAsString(inner) : null;
        }
      } catch (IOException notJson) {
        // scrubbed as text below
      }
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    byte[] scrubbed = scrubText(bytes);
    return scrubbed == bytes ? null : new String(scrubbed, StandardCharsets.UTF_8);
  }

  /**
   * Text that is not valid JSON: delimited secret values are replaced; from the first one that
   * cannot be delimited (truncated input, escaped JSON in a string) everything is dropped rather
   * than risk it. The same array when nothing was found.
   */
  private static byte[] scrubText(byte[] original) {
    String text = new String(original, StandardCharsets.UTF_8);
    String scrubbed = SECRET_FIELD.matcher(text).replaceAll("\"$1\":\"<removed>\"");
    int cut = -1;
    Matcher rest = SECRET_MARKER.matcher(scrubbed);
    if (rest.find()) {
      cut = rest.start();
    }
    Matcher patch = SECRET_PATCH.matcher(scrubbed);
    if (patch.find()) {
      // The operation's value may come before or after its path: cut from the operation's start.
      int op = scrubbed.lastIndexOf('{', patch.start());
      int at = op < 0 ? patch.start() : op;
      cut = cut < 0 ? at : Math.min(cut, at);
    }
    if (cut >= 0) {
      scrubbed = scrubbed.substring(0, cut) + "<cut: secret material follows>";
    }
    return scrubbed.equals(text) ? original : scrubbed.getBytes(StandardCharsets.UTF_8);
  }
}
