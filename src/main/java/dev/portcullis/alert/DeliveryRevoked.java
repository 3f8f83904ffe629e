package dev.portcullis.alert;

/** A queued delivery dropped because its partition moved to another consumer. */
final class DeliveryRevoked extends RuntimeException {

  DeliveryRevoked(String sink) {
    super("delivery to " + sink + " dropped: its partition was revoked", null, false, false);
  }
}
