package dev.portcullis.health;

import dev.portcullis.policy.PolicyEngine;
import dev.portcullis.policy.PolicySet;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when a compiled policy set is in force. */
@Readiness
public class PoliciesLoadedCheck implements HealthCheck {

  @Inject PolicyEngine engine;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b = HealthCheckResponse.named("policies");
    PolicySet set = engine.isLoaded() ? engine.current() : null;
    if (set == null) {
      return b.down().build();
    }
    return b.up()
        .withData("policies", set.policies().size())
        .withData("version", set.version())
        .withData("origin", engine.origin())
        .build();
  }
}
