package dev.portcullis.event.s3;

import java.time.LocalDate;

/**
 * One thing a lifecycle rule does, as S3 would do it.
 *
 * @param kind what it does
 * @param days days after creation (noncurrent actions: after becoming noncurrent; multipart
 *     uploads: after initiation), or null when it acts on a date or on delete markers
 * @param date the date it acts on (UTC), or null
 * @param storageClass the storage class a transition moves objects to, or null
 */
public record LifecycleAction(Kind kind, Long days, LocalDate date, String storageClass) {

  /** The kinds of action a lifecycle rule can carry. */
  public enum Kind {
    /** {@code Expiration} with Days or Date: current objects are deleted (or hidden). */
    EXPIRATION(true),
    /** {@code Transition}: current objects move to another storage class. */
    TRANSITION(true),
    /** {@code Expiration.ExpiredObjectDeleteMarker}: removes delete markers with no versions. */
    EXPIRED_DELETE_MARKERS(false),
    /** {@code NoncurrentVersionExpiration}: older versions are deleted. */
    NONCURRENT_EXPIRATION(false),
    /** {@code NoncurrentVersionTransition}: older versions move to another storage class. */
    NONCURRENT_TRANSITION(false),
    /** {@code AbortIncompleteMultipartUpload}: unfinished uploads are discarded. */
    ABORT_MULTIPART(false);

    private final boolean currentObjects;

    Kind(boolean currentObjects) {
      this.currentObjects = currentObjects;
    }

    /** True when the action touches the current version of objects. */
    public boolean touchesCurrentObjects() {
      return currentObjects;
    }
  }

  /** "after 30 days", "on 2026-12-01", or "" when neither is known. */
  public String when() {
    if (days != null) {
      return "after " + days + (days == 1 ? " day" : " days");
    }
    if (date != null) {
      return "on " + date;
    }
    return "";
  }
}
