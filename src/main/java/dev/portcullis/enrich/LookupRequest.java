package dev.portcullis.enrich;

/**
 * One lookup an {@link Enricher} wants answered before the rules judge an event.
 *
 * @param name the lookup's name, e.g. {@code s3.objects}
 * @param key what to look up, e.g. {@code etcd-backups/backups/}
 */
public record LookupRequest(String name, String key) {}
