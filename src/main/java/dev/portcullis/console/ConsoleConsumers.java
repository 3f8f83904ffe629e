package dev.portcullis.console;

import dev.portcullis.alert.AlertStateStore;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Settings of the console's Kafka readers: assigned partitions, no group, nothing committed. */
final class ConsoleConsumers {

  private ConsoleConsumers() {}

  static Properties reader(
      Map<String, Object> kafkaConfig, String servers, String clientId, Class<?> keys) {
    Properties p = new Properties();
    p.putAll(AlertStateStore.clientSettings(kafkaConfig, servers));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, keys.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return p;
  }
}
