package dev.portcullis.stream;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The headers of a dead letter: why, where in the input, and the input's coordinates. */
final class DeadLetterHeaders {

  private DeadLetterHeaders() {}

  static void add(
      RecordHeaders headers,
      String code,
      String reason,
      String location,
      ChangeRecord.Origin origin) {
    add(headers, code, reason, location, null, origin);
  }

  static void add(
      RecordHeaders headers,
      String code,
      String reason,
      String location,
      String field,
      ChangeRecord.Origin origin) {
    header(headers, "dead-letter-reason", reason);
    header(headers, "dead-letter-code", code);
    header(headers, "dead-letter-location", location);
    header(headers, "dead-letter-field", field);
    if (origin != null) {
      header(headers, "dead-letter-topic", origin.topic());
      header(headers, "dead-letter-partition", String.valueOf(origin.partition()));
      header(headers, "dead-letter-offset", String.valueOf(origin.offset()));
    }
  }

  /** Longest header value: a reason may quote the input (a field name, a parser's excerpt). */
  static final int MAX_HEADER_CHARS = 2000;

  private static void header(RecordHeaders headers, String name, String value) {
    if (value != null) {
      value = Decode.cut(value, MAX_HEADER_CHARS);
      headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
