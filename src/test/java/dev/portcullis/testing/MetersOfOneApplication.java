package dev.portcullis.testing;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.List;

/**
 * Removes Portcullis's meters when a test application stops, so the next one registers its own.
 *
 * <p>The {@code MeterRegistry} Quarkus injects is Micrometer's global composite registry, which
 * lives in a class loader that every {@code @QuarkusTest} application of the run shares. Quarkus
 * clears it between applications in dev mode only; in test mode the meters of a stopped application
 * stay, and registering a gauge again under the same name returns the old one, bound weakly to the
 * stopped application's bean: NaN, or missing from /q/metrics, once that bean is collected.
 * Production runs one application per JVM and never sees this.
 */
@ApplicationScoped
class MetersOfOneApplication {

  void onStop(
      @Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 100) ShutdownEvent ev,
      MeterRegistry registry) {
    List<Meter> ours =
        registry.getMeters().stream()
            .filter(m -> m.getId().getName().startsWith("portcullis."))
            .toList();
    ours.forEach(registry::remove);
  }
}
