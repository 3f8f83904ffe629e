package dev.portcullis.event;

/**
 * Input that cannot become a change event. {@link #reason()} is one of a small fixed set of codes
 * (safe as a metric tag); the message says what exactly is wrong.
 */
public final class InvalidEventException extends Exception {

  /** The input is empty. */
  public static final String EMPTY = "empty";

  /** The input or its decompressed form is larger than the configured limit. */
  public static final String TOO_LARGE = "too-large";

  /** The input starts like gzip but does not decompress. */
  public static final String BAD_GZIP = "bad-gzip";

  /** The input is not JSON. */
  public static final String NOT_JSON = "not-json";

  /** Valid JSON that is none of the supported event shapes. */
  public static final String UNSUPPORTED_SHAPE = "unsupported-shape";

  /** One element of a batch ({@code Records[]}, {@code items[]}) is not an event. */
  public static final String INVALID_RECORD = "invalid-record";

  private final String reason;

  public InvalidEventException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public InvalidEventException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
