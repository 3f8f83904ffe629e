package dev.portcullis.event;

import java.util.List;

/**
 * What one input (a Kafka record, a request body) decoded into: the change events it holds and the
 * parts of it that were not events, each with its reason.
 */
public record DecodedBatch(List<ChangeEvent> events, List<Rejected> rejected) {

  /**
   * One part of a batch that could not be decoded.
   *
   * @param location where in the input it was, e.g. {@code Records[3]}
   * @param reason a code from {@link InvalidEventException}
   * @param message what exactly is wrong
   * @param payload the part's own bytes (JSON, with secret material removed)
   * @param field the field at fault within the part, or null
   */
  public record Rejected(
      String location, String reason, String message, byte[] payload, String field) {}
}
