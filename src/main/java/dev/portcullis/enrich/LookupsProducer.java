package dev.portcullis.enrich;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The service's {@link Lookups} and {@link Enrichment}. The lookups are the active {@link
 * LookupFamily} beans (S3, Route53, ...) combined by family name, or {@link Lookups#NONE} when none
 * is configured. To add a family: write an {@code @ApplicationScoped} bean implementing {@link
 * LookupFamily} with its own name; nothing here changes. Both are default beans, so a test (or a
 * deployment) may still replace the whole {@code Lookups} with a bean of its own.
 */
@ApplicationScoped
public class LookupsProducer {

  private static final Logger LOG = Logger.getLogger(LookupsProducer.class);

  @Produces
  @DefaultBean
  @Singleton
  Lookups lookups(@Any Instance<LookupFamily> families) {
    List<LookupFamily> active = new ArrayList<>();
    for (LookupFamily f : families) {
      if (f.active()) {
        active.add(f);
      }
    }
    if (active.isEmpty()) {
      LOG.info("No lookup family is configured: policies decide on events alone");
      return Lookups.NONE;
    }
    CompositeLookups composite = new CompositeLookups(active);
    LOG.infof("Lookup families in use: %s", composite.families());
    return composite;
  }

  @Produces
  @DefaultBean
  @Singleton
  Enrichment enrichment() {
    return Enrichment.standard();
  }
}
