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

  /** A field every genuine sender writes is missing ({@link #field()} names it). */
  public static final String MISSING_FIELD = "missing-field";

  /** A field came with another JSON type than its format defines ({@link #field()} names it). */
  public static final String WRONG_TYPE = "wrong-type";

  private final String reason;
  private final String field;

  public InvalidEventException(String reason, String message) {
    this(reason, message, (String) null);
  }

  public InvalidEventException(String reason, String message, String field) {
    super(message);
    this.reason = reason;
    this.field = field;
  }

  public InvalidEventException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.field = null;
  }

  public String reason() {
    return reason;
  }

  /** The field at fault, as a dotted path within the record, or null when no one field is. */
  public String field() {
    return field;
  }
}
