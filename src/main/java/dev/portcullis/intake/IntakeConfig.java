package dev.portcullis.intake;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Optional;

/** The HTTP intakes: the Kubernetes audit webhook and the EventBridge API destination. */
@ConfigMapping(prefix = "portcullis.intake")
public interface IntakeConfig {

  /** {@code POST /k8s/audit}, the API server's audit webhook backend. */
  @WithName("k8s-audit")
  K8sAudit k8sAudit();

  /** {@code POST /aws/eventbridge}, an EventBridge API destination. */
  Eventbridge eventbridge();

  /** {@code POST /aws/firehose}, an Amazon Data Firehose HTTP endpoint destination. */
  Firehose firehose();

  /** The Firehose HTTP endpoint. */
  interface Firehose {
    /**
     * The access key the delivery stream sends in {@code X-Amz-Firehose-Access-Key}. The endpoint
     * refuses every request while none is set.
     */
    Optional<String> accessKey();

    /**
     * Largest request body, compressed or decompressed. Firehose sends up to its buffer size (1 to
     * 64 MiB) base64-encoded: keep the stream's buffer at 4 MiB or less with this default, and
     * {@code quarkus.http.limits.max-body-size} at least as large as this.
     */
    @WithDefault("10485760")
    int maxBytes();
  }

  /** The audit webhook. */
  interface K8sAudit {
    /**
     * Largest request body, compressed or decompressed. The API server sends up to {@code
     * --audit-webhook-batch-max-size} events (400) per request; keep {@code
     * quarkus.http.limits.max-body-size} (10 MiB) at least as large.
     */
    @WithDefault("10485760")
    int maxBytes();

    /**
     * Bearer token the API server must send (the {@code token} of the user in its webhook
     * kubeconfig). Empty: no token is asked for (use a client certificate, or a network policy).
     */
    Optional<String> token();
  }

  /** The EventBridge API destination. */
  interface Eventbridge {
    /**
     * The API key the EventBridge connection sends (API_KEY authorization). The endpoint refuses
     * every request while none is set.
     */
    Optional<String> apiKey();

    /** The header the connection sends the key in (its "API key name"). */
    @WithDefault("x-api-key")
    String apiKeyHeader();

    /** Largest request body; EventBridge events are at most 256 KiB. */
    @WithDefault("1048576")
    int maxBytes();
  }
}
