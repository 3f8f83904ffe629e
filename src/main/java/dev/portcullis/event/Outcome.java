package dev.portcullis.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How the request ended, as far as the source says.
 *
 * <p>A CloudTrail record with an {@code errorCode} did not happen. A Kubernetes request did not
 * happen when its response code is 400 or higher, and did not persist anything when it was a dry
 * run. {@code succeeded} is null when the source does not tell (a {@code RequestReceived} stage).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Outcome {

  private final Boolean succeeded;
  private final String errorCode;
  private final String errorMessage;
  private final Integer responseCode;
  private final boolean dryRun;
  private final String stage;

  public Outcome(
      Boolean succeeded,
      String errorCode,
      String errorMessage,
      Integer responseCode,
      boolean dryRun,
      String stage) {
    this.succeeded = succeeded;
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
    this.responseCode = responseCode;
    this.dryRun = dryRun;
    this.stage = stage;
  }

  /** True, false, or null when unknown. */
  public Boolean getSucceeded() {
    return succeeded;
  }

  /** True only when the source says the request failed. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isFailed() {
    return Boolean.FALSE.equals(succeeded);
  }

  /**
   * True when the change may have taken effect: it did not fail and was not a dry run. Policies
   * about changes normally start from this.
   */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isEffective() {
    return !isFailed() && !dryRun;
  }

  public String getErrorCode() {
    return errorCode;
  }

  public String getErrorMessage() {
    return errorMessage;
  }

  /** Kubernetes HTTP response code. */
  public Integer getResponseCode() {
    return responseCode;
  }

  public boolean isDryRun() {
    return dryRun;
  }

  /** Kubernetes audit stage ({@code RequestReceived}, {@code ResponseComplete}, ...). */
  public String getStage() {
    return stage;
  }
}
