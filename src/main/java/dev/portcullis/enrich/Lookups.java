package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Read-only answers to named lookups about the world a change lands in, as JSON: for example {@code
 * s3.objects} keyed by {@code bucket/prefix} (which objects a lifecycle rule would expire), or
 * {@code route53.recordSets} keyed by {@code zone/name./TYPE}. Rules never call this (they are
 * pure); {@link Enrichment} asks it before evaluation and inserts each answer as a {@link
 * LookupResult} fact.
 *
 * <p>Implementations: {@link #NONE} (when no lookup family is configured), {@link MockLookups}
 * (policy test cases' {@code mocks:}), and the service's composite of {@link LookupFamily} beans
 * (S3, Route53), built by {@code LookupsProducer}. A real implementation must be bounded (timeout,
 * retry, fallback) and count its failures; an unanswered lookup is {@link Optional#empty()}, never
 * an exception, so an outage degrades to fewer facts, not to lost decisions.
 */
public interface Lookups {

  /** Answers nothing: no enrichment. */
  Lookups NONE = (name, key) -> Optional.empty();

  /**
   * @param name the lookup's name, e.g. {@code s3.objects}
   * @param key what to look up, e.g. {@code etcd-backups/backups/}
   * @return the answer, or empty when there is none (unknown, not found, lookup failed)
   */
  Optional<JsonNode> find(String name, String key);

  /**
   * True when lookups of this name are configured, so an empty {@link #find} means the lookup
   * failed (timeout, error, rate limit) rather than that nobody could answer: a fact provider then
   * says it decided on the event alone. False by default.
   */
  default boolean serves(String name) {
    return false;
  }
}
