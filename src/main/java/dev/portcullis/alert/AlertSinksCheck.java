package dev.portcullis.alert;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of alerting: DOWN while the alert state has not been read, and while any sink's circuit
 * breaker is open or half-open (it failed {@code failure-threshold} times in a row and has not
 * succeeded since), unless {@code portcullis.alert.failing-sink-fails-readiness} is off. Shows per
 * sink its circuit, consecutive failures, backlog and last error, never its address.
 */
@Readiness
@ApplicationScoped
public class AlertSinksCheck implements HealthCheck {

  @Inject AlertSinks sinks;
  @Inject AlertBootstrap bootstrap;
  @Inject AlertConfig config;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b = HealthCheckResponse.named("alerting").up();
    AlertStateStore store = bootstrap.store();
    if (store == null || !store.ready().isDone()) {
      b.down()
          .withData(
              "state", store == null || store.problem() == null ? "loading" : store.problem());
    }
    b.withData("sinks", sinks.workers().size());
    for (SinkWorker w : sinks.workers()) {
      SinkWorker.Health h = w.health();
      boolean failing = h.circuit() != CircuitBreaker.State.CLOSED;
      StringBuilder s = new StringBuilder(failing ? "failing" : "ok");
      s.append(", circuit ").append(h.circuit().wireName());
      s.append(", backlog ").append(h.backlog());
      if (h.consecutiveFailures() > 0) {
        s.append(", ").append(h.consecutiveFailures()).append(" failures in a row");
      }
      if (failing && h.lastError() != null) {
        s.append(", last error: ").append(h.lastError());
      }
      b.withData(h.sink(), s.toString());
      if (failing && config.failingSinkFailsReadiness()) {
        b.down();
      }
    }
    return b.build();
  }
}
