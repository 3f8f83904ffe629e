package dev.portcullis.intake;

/**
 * Why an HTTP intake refuses a whole request, before anything of it is written.
 *
 * @param status the HTTP status
 * @param code a stable machine-readable code
 * @param message what exactly is wrong
 * @param field the field at fault, or null
 */
public record IntakeRefusal(int status, String code, String message, String field) {}
