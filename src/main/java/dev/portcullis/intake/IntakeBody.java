package dev.portcullis.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Reads an intake's request body: size-bounded, gzip when the sender says so, one JSON value. */
final class IntakeBody {

  private IntakeBody() {}

  /** Decompresses (bounded) and parses the body, or says why not. */
  static Result read(byte[] body, String contentEncoding, int maxBytes, ObjectMapper mapper) {
    if (body == null || body.length == 0) {
      return refused(400, "empty", "the request body is empty");
    }
    if (body.length > maxBytes) {
      return refused(
          413,
          "too-large",
          "the request body has " + body.length + " bytes, more than the limit of " + maxBytes);
    }
    String encoding =
        contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    boolean gzipMagic = body.length >= 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b;
    byte[] json = body;
    if (encoding.equals("gzip") || encoding.equals("x-gzip") || gzipMagic) {
      try {
        json = gunzip(body, maxBytes);
      } catch (TooLarge e) {
        return refused(
            413, "too-large", "the gzip body decompresses to more than the limit of " + maxBytes);
      } catch (IOException e) {
        return refused(400, "bad-gzip", "the body is said to be gzip but does not decompress");
      }
    } else if (!encoding.equals("identity") && !encoding.isEmpty()) {
      return refused(
          415, "unsupported-encoding", "Content-Encoding " + encoding + " (gzip or none)");
    }
    ObjectReader strict = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    try {
      JsonNode root = strict.readTree(json);
      if (root == null || root.isMissingNode()) {
        return refused(400, "empty", "the request body holds no JSON value");
      }
      return new Result(root, json, null);
    } catch (JsonProcessingException e) {
      return new Result(
          null,
          json,
          new IntakeRefusal(
              400, "not-json", "the body is not one JSON value: " + e.getOriginalMessage(), null));
    } catch (IOException e) {
      return new Result(
          null, json, new IntakeRefusal(400, "not-json", "the body is not JSON", null));
    }
  }

  private static Result refused(int status, String code, String message) {
    return new Result(null, null, new IntakeRefusal(status, code, message, null));
  }

  private static byte[] gunzip(byte[] body, int maxBytes) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, body.length * 8));
      byte[] buf = new byte[16384];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > maxBytes) {
          throw new TooLarge();
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  private static final class TooLarge extends IOException {}

  /**
   * The parsed body, or the refusal.
   *
   * @param root the JSON value, null when refused
   * @param bytes the decompressed body when there was one (for the dead letter), else null
   * @param refusal why the body is refused, or null
   */
  record Result(JsonNode root, byte[] bytes, IntakeRefusal refusal) {}
}
