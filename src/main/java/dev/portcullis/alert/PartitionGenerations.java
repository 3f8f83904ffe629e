package dev.portcullis.alert;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A counter per pending-alerts partition, bumped when the partition is revoked: a delivery queued
 * under an older count belongs to a partition this instance no longer owns, and is dropped.
 */
final class PartitionGenerations {

  private final ConcurrentHashMap<Integer, Long> generations = new ConcurrentHashMap<>();

  long current(int partition) {
    return generations.getOrDefault(partition, 0L);
  }

  void revoke(Collection<Integer> partitions) {
    partitions.forEach(p -> generations.merge(p, 1L, Long::sum));
  }
}
