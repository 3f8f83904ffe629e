package dev.portcullis.stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The time a record reached Kafka (its record timestamp), or the wall clock for a record that has
 * none (written by an old client): Kafka Streams' default would stop the stream on such a record,
 * and one that skipped it would lose an event.
 */
public final class ArrivalTimestamp implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    long ts = record.timestamp();
    return ts >= 0 ? ts : System.currentTimeMillis();
  }
}
