package dev.portcullis.enrich;

import dev.portcullis.config.DnsConfig;
import dev.portcullis.enrich.route53.Route53Lookups;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The service's {@link Lookups}: one family per configured AWS service, combined by name prefix
 * ({@link CompositeLookups}). A family exists only when its access is configured ({@code
 * portcullis.dns.route53.enabled=true} for {@code route53.*}); with none configured this is {@link
 * Lookups#NONE}, exactly as the default bean of {@link LookupsProducer}.
 */
@ApplicationScoped
public class AwsLookupsProducer {

  private static final Logger LOG = Logger.getLogger(AwsLookupsProducer.class);

  @Produces
  @Singleton
  Lookups lookups(DnsConfig dns, MeterRegistry registry) {
    Map<String, Lookups> families = new LinkedHashMap<>();
    if (dns.route53().enabled()) {
      families.put(Route53Lookups.PREFIX, Route53Lookups.create(dns.route53(), registry));
      LOG.infof(
          "Route53 lookups on (%s, timeout %s, %s requests/s)",
          dns.route53().endpoint().map(Object::toString).orElse("AWS endpoint"),
          dns.route53().timeout(),
          dns.route53().requestsPerSecond());
    }
    return families.isEmpty() ? Lookups.NONE : new CompositeLookups(families);
  }

  void close(@Disposes Lookups lookups) {
    if (lookups instanceof CompositeLookups c) {
      c.close();
    }
  }
}
