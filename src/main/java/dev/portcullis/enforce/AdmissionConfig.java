package dev.portcullis.enforce;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Settings of the validating admission webhook ({@code POST /k8s/validate}), under the prefix
 * {@code portcullis.admission}. The webhook's certificate is Quarkus's own TLS setting (see
 * docs/admission-webhook.md): {@code quarkus.tls.key-store.pem.0.cert} and {@code ...key}.
 */
@ConfigMapping(prefix = "portcullis.admission")
public interface AdmissionConfig {

  /** What the webhook answers when it cannot judge a review in time or at all. */
  enum OnFailure {
    /** Allow the request with a warning; the audit stream still judges it once it happened. */
    ALLOW,
    /** Deny the request (code 503) with a message saying Portcullis could not judge it. */
    DENY
  }

  /**
   * Time to answer a review, from its arrival; past it the {@link #onFailure()} answer is given.
   * Keep it below the webhook configuration's {@code timeoutSeconds} (5 s in deploy/), so that
   * Portcullis's own failure answer, not the API server's failurePolicy, decides.
   */
  @WithDefault("PT2S")
  Duration budget();

  /**
   * The answer when the policies cannot judge a review within {@link #budget()}, fail on it, or the
   * webhook is saturated: {@code allow} (with a warning) or {@code deny} (with a message).
   */
  @WithDefault("allow")
  OnFailure onFailure();

  /**
   * Largest review accepted, in bytes; a larger one is answered 413. An UPDATE carries the object
   * twice (object and oldObject), each up to the API server's 3 MiB request limit. Must stay below
   * {@code quarkus.http.limits.max-body-size} (10 MiB by default).
   */
  @WithDefault("8388608")
  int maxBytes();

  /**
   * Threads that evaluate reviews. Evaluation is CPU work of well under a millisecond; the extra
   * threads cover enrichment lookups that wait on I/O.
   */
  @WithDefault("4")
  int threads();

  /**
   * Reviews waiting for an evaluation thread; beyond it the {@link #onFailure()} answer is given.
   */
  @WithDefault("1000")
  int maxQueued();

  /**
   * Most warnings in one answer (one per decision in {@code alert} mode); the last one says how
   * many more there are. The API server truncates warnings beyond 4096 characters per request in
   * all, so each is cut at 256 characters and all of them together at 2048.
   */
  @WithDefault("10")
  int maxWarnings();

  /**
   * Write one decision record per review (not for dry runs) to the decisions topic, keyed by the
   * review's uid, with source {@code k8s-admission}.
   */
  @WithDefault("true")
  boolean record();
}
