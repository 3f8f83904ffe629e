package dev.portcullis.intake;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Says at start-up which HTTP intakes take events and how they are guarded. */
@ApplicationScoped
public class IntakeStartup {

  private static final Logger LOG = Logger.getLogger(IntakeStartup.class);

  @Inject IntakeConfig config;

  void onStart(@Observes StartupEvent start) {
    if (config.k8sAudit().token().filter(t -> !t.isBlank()).isPresent()) {
      LOG.info("Audit webhook intake: POST /k8s/audit takes events with its bearer token");
    } else {
      LOG.warn(
          "Audit webhook intake: POST /k8s/audit asks for no token"
              + " (portcullis.intake.k8s-audit.token): whoever reaches the port can send audit"
              + " events; set one, or restrict the port to the API server");
    }
    LOG.infof(
        "EventBridge intake: POST /aws/eventbridge is %s; Firehose intake: POST /aws/firehose is %s",
        config.eventbridge().apiKey().filter(k -> !k.isBlank()).isPresent()
            ? "on"
            : "off until portcullis.intake.eventbridge.api-key is set",
        config.firehose().accessKey().filter(k -> !k.isBlank()).isPresent()
            ? "on"
            : "off until portcullis.intake.firehose.access-key is set");
  }
}
