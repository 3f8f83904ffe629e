package dev.portcullis.enforce;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.vertx.http.HttpsServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Knows whether the service has a TLS certificate, and says at start-up how the webhook is served.
 *
 * <p>With a certificate ({@code quarkus.tls.key-store.*}, or {@code quarkus.http.ssl.*}), Quarkus
 * serves every endpoint on HTTPS ({@code quarkus.http.ssl-port}, 8443) and keeps plain HTTP on 8080
 * for the health probes, the Prometheus scrape and the {@code /v1} API inside the cluster; {@code
 * /k8s/validate} then answers only over HTTPS, since a review carries user names and object
 * contents. Without one, HTTPS is off, the service starts as before, and the webhook answers on
 * plain HTTP (for trying it with curl, or behind a proxy that terminates TLS); the API server
 * cannot call it that way, which the start-up log says.
 */
@ApplicationScoped
public class AdmissionTls {

  private static final Logger LOG = Logger.getLogger(AdmissionTls.class);

  @Inject TlsConfigurationRegistry registry;

  private volatile boolean httpsOn;

  void onStart(@Observes StartupEvent start) {
    httpsOn |= certificateConfigured();
    if (httpsOn) {
      LOG.infof("Admission webhook: POST /k8s/validate is served over HTTPS only");
    } else {
      LOG.warnf(
          "Admission webhook: no TLS certificate is configured (quarkus.tls.key-store.pem.0.cert"
              + " and .key), so POST /k8s/validate answers on plain HTTP only and the Kubernetes"
              + " API server, which calls webhooks over HTTPS, cannot use it");
    }
  }

  void onHttps(@ObservesAsync HttpsServerStart start) { // Quarkus fires it asynchronously
    httpsOn = true;
  }

  /** True when the service serves HTTPS; the webhook then refuses plain HTTP. */
  public boolean httpsOn() {
    return httpsOn;
  }

  private boolean certificateConfigured() {
    Optional<String> name =
        ConfigProvider.getConfig()
            .getOptionalValue("quarkus.http.tls-configuration-name", String.class);
    // The HTTP server uses the named configuration when one is named, else the default one.
    Optional<TlsConfiguration> tls =
        name.isPresent() ? TlsConfiguration.from(registry, name) : registry.getDefault();
    if (tls.isPresent()
        && (tls.get().getKeyStoreOptions() != null || tls.get().getKeyStore() != null)) {
      return true;
    }
    var config = ConfigProvider.getConfig();
    return config.getOptionalValue("quarkus.http.ssl.certificate.files", String.class).isPresent()
        || config
            .getOptionalValue("quarkus.http.ssl.certificate.key-store-file", String.class)
            .isPresent();
  }
}
