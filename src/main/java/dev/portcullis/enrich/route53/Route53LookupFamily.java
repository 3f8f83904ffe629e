package dev.portcullis.enrich.route53;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.config.DnsConfig;
import dev.portcullis.enrich.LookupFamily;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The {@code route53.*} lookups as a family of the service's lookups: active only when {@code
 * portcullis.dns.route53.enabled=true}; the client is created on first use and closed at shutdown.
 */
@ApplicationScoped
public class Route53LookupFamily implements LookupFamily {

  private static final Logger LOG = Logger.getLogger(Route53LookupFamily.class);

  @Inject DnsConfig dns;
  @Inject MeterRegistry registry;

  private Route53Lookups lookups;

  @Override
  public String family() {
    return "route53";
  }

  @Override
  public boolean active() {
    return dns.route53().enabled();
  }

  @Override
  public Optional<JsonNode> find(String name, String key) {
    return lookups().find(name, key);
  }

  private synchronized Route53Lookups lookups() {
    if (lookups == null) {
      lookups = Route53Lookups.create(dns.route53(), registry);
      LOG.infof(
          "Route53 lookups on (%s, timeout %s, %s requests/s)",
          dns.route53().endpoint().map(Object::toString).orElse("AWS endpoint"),
          dns.route53().timeout(),
          dns.route53().requestsPerSecond());
    }
    return lookups;
  }

  @PreDestroy
  synchronized void close() {
    if (lookups != null) {
      lookups.close();
    }
  }
}
