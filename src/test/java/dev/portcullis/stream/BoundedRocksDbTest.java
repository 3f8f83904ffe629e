package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Every store shares one bounded block cache and memtable budget; the service is set to use it. */
class BoundedRocksDbTest {

  @Test
  void everyStoreGetsTheSharedBudgetAndSmallMemtables() throws Exception {
    RocksDB.loadLibrary();
    try (Options a = new Options();
        Options b = new Options()) {
      a.setTableFormatConfig(new BlockBasedTableConfig());
      b.setTableFormatConfig(new BlockBasedTableConfig());
      new BoundedRocksDb().setConfig("portcullis-dedup", a, Map.of());
      new BoundedRocksDb().setConfig("portcullis-facts", b, Map.of());
      assertThat(a.writeBufferSize()).isEqualTo(4L * 1024 * 1024);
      assertThat(a.maxWriteBufferNumber()).isEqualTo(2);
      BlockBasedTableConfig ta = (BlockBasedTableConfig) a.tableFormatConfig();
      assertThat(ta.cacheIndexAndFilterBlocks()).isTrue();
      // A store opened with these options works.
      Path dir = Files.createTempDirectory("bounded-rocksdb");
      a.setCreateIfMissing(true);
      try (RocksDB db = RocksDB.open(a, dir.toString())) {
        db.put("k".getBytes(), "v".getBytes());
        assertThat(new String(db.get("k".getBytes()))).isEqualTo("v");
      }
    }
  }

  @Test
  void theServiceConfiguresKafkaStreamsWithIt() throws Exception {
    Properties p = new Properties();
    try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
      p.load(in);
    }
    assertThat(p.getProperty("kafka-streams.rocksdb.config.setter"))
        .isEqualTo(BoundedRocksDb.class.getName());
  }
}
