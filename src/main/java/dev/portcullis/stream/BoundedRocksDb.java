package dev.portcullis.stream;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of every RocksDB store of the stream together. Kafka Streams' default gives
 * each store instance (three stores per partition of the changes topic, more with standbys) its own
 * 50 MB block cache and up to three 16 MB memtables, so resident memory grows with partitions and
 * with time as the caches fill. Here every store shares one block cache, and their memtables are
 * counted against it ({@code WriteBufferManager}), as Kafka's memory-management guide describes:
 * off-heap memory of the stores stays under {@link #TOTAL_BYTES} whatever the partition count
 * (docs/benchmarks.md, "Memory"). Set with {@code kafka-streams.rocksdb.config.setter}.
 */
public class BoundedRocksDb implements RocksDBConfigSetter {

  /** Block cache and memtables of all stores together. */
  static final long TOTAL_BYTES = 48L * 1024 * 1024;

  /** Of which memtables (writes not yet flushed). */
  static final long MEMTABLE_BYTES = 16L * 1024 * 1024;

  // Shared by every store instance of the process, so never closed by one of them.
  private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
  private static final WriteBufferManager WRITE_BUFFERS =
      new WriteBufferManager(MEMTABLE_BYTES, CACHE);

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(CACHE);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(WRITE_BUFFERS);
    options.setWriteBufferSize(4L * 1024 * 1024);
    options.setMaxWriteBufferNumber(2);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write buffer manager are shared: they live as long as the process.
  }
}
