package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * One family of lookups, answering every lookup name that starts with its family name and a dot
 * ({@code s3} answers {@code s3.objects}, {@code s3.object}, ...). Each family is an
 * {@code @ApplicationScoped} bean of this type; {@code LookupsProducer} combines the active ones
 * into the service's one {@link Lookups}. A family that is not configured (no AWS access) says so
 * through {@link #active()} and is left out, so without any, the service runs on {@link
 * Lookups#NONE}.
 *
 * <p>Same contract as {@link Lookups}: read-only, bounded, failures counted, and an unanswered
 * lookup is {@link Optional#empty()}, never an exception.
 */
public interface LookupFamily {

  /** The family name, without the dot: {@code s3}, {@code route53}. */
  String family();

  /** True when it is configured and should answer. */
  boolean active();

  /** Answers a lookup of this family ({@code name} starts with {@code family() + "."}). */
  Optional<JsonNode> find(String name, String key);
}
