package dev.portcullis.enrich;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The service's {@link Lookups} and {@link Enrichment}. Both are default beans: a real AWS-backed
 * {@code Lookups} bean (S3, Route53) replaces {@link Lookups#NONE} just by existing.
 */
@ApplicationScoped
public class LookupsProducer {

  @Produces
  @DefaultBean
  @Singleton
  Lookups lookups() {
    return Lookups.NONE;
  }

  /** The service's one store of fact providers' state. */
  @Produces
  @Singleton
  StateStore state() {
    return new StateStore();
  }

  @Produces
  @DefaultBean
  @Singleton
  Enrichment enrichment() {
    return Enrichment.standard();
  }
}
