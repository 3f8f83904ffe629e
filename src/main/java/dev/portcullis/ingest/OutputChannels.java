package dev.portcullis.ingest;

/**
 * The SmallRye channels Portcullis writes with outside the stream (the stream itself writes through
 * Kafka Streams): decision records that do not come from an input (admission, the guard, reloads),
 * dead letters of the admission webhook, and the guard's observations to the changes topic.
 */
public final class OutputChannels {

  /** Outgoing channel of decision records. */
  public static final String DECISIONS_OUT = "decisions";

  /** Outgoing channel of dead letters. */
  public static final String DEAD_LETTER_OUT = "dead-letter";

  /** Outgoing channel of observations to the changes topic. */
  public static final String OBSERVATIONS_OUT = "observations";

  /** Reason code of an event the policies could not evaluate. */
  public static final String EVALUATION_ERROR = "evaluation-error";

  /** Buffer of the outgoing emitters; every injection point of a channel must use the same. */
  public static final int EMITTER_BUFFER = 65536;

  private OutputChannels() {}
}
