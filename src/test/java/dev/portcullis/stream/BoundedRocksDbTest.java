package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.TempDirs;
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
      Path dir = TempDirs.create("bounded-rocksdb");
      a.setCreateIfMissing(true);
      try (RocksDB db = RocksDB.open(a, dir.toString())) {
        db.put("k".getBytes(), "v".getBytes());
        assertThat(new String(db.get("k".getBytes()))).isEqualTo("v");
      }
    }
  }

  @Test
  void theBudgetIsASize() {
    assertThat(BoundedRocksDb.bytes("48M")).isEqualTo(48L << 20);
    assertThat(BoundedRocksDb.bytes(" 64m ")).isEqualTo(64L << 20);
    assertThat(BoundedRocksDb.bytes("1G")).isEqualTo(1L << 30);
    assertThat(BoundedRocksDb.bytes("16384k")).isEqualTo(16L << 20);
    assertThat(BoundedRocksDb.bytes("50331648")).isEqualTo(48L << 20);
    assertThatThrownBy(() -> BoundedRocksDb.bytes("lots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("portcullis.stream.state-memory")
        .hasMessageContaining("'lots'");
    assertThatThrownBy(() -> BoundedRocksDb.bytes("M"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BoundedRocksDb.bytes("4M"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("below the smallest budget, 8M");
    assertThatThrownBy(() -> BoundedRocksDb.bytes("99999999999G"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBudgetGivesAThirdToMemtables() throws Exception {
    RocksDB.loadLibrary();
    BoundedRocksDb.Budget budget = BoundedRocksDb.Budget.of(24L << 20);
    assertThat(budget.totalBytes()).isEqualTo(24L << 20);
    // The memtables are charged to the cache as they fill: a write shows in its usage.
    Path dir = TempDirs.create("bounded-rocksdb-budget");
    try (Options o = new Options().setCreateIfMissing(true)) {
      BlockBasedTableConfig table = new BlockBasedTableConfig();
      table.setBlockCache(budget.cache());
      o.setTableFormatConfig(table);
      o.setWriteBufferManager(budget.writeBuffers());
      try (RocksDB db = RocksDB.open(o, dir.toString())) {
        long before = budget.cache().getUsage();
        for (int i = 0; i < 2_000; i++) {
          db.put(("key-" + i).getBytes(), new byte[512]);
        }
        assertThat(budget.cache().getUsage()).isGreaterThan(before);
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
    // The budget reaches the setter through Kafka Streams' config, from the service's setting.
    assertThat(p.getProperty("kafka-streams." + BoundedRocksDb.MEMORY))
        .isEqualTo("${portcullis.stream.state-memory:48M}");
  }
}
