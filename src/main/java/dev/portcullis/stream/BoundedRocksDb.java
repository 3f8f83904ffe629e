package dev.portcullis.stream;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.jboss.logging.Logger;
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
 * off-heap memory of the stores stays under one budget ({@code portcullis.stream.state-memory}, 48
 * MB unless set) whatever the partition count (docs/benchmarks.md, "Memory"). Set with {@code
 * kafka-streams.rocksdb.config.setter}.
 */
public class BoundedRocksDb implements RocksDBConfigSetter {

  private static final Logger LOG = Logger.getLogger(BoundedRocksDb.class);

  /**
   * The Kafka Streams property with the budget ({@code 48M}, {@code 64m}, {@code 50331648}); the
   * service sets it from {@code portcullis.stream.state-memory}.
   */
  public static final String MEMORY = "portcullis.rocksdb.memory";

  /** Block cache and memtables of all stores together, unless {@link #MEMORY} says otherwise. */
  static final long DEFAULT_TOTAL_BYTES = 48L * 1024 * 1024;

  /** Smallest budget taken: below it RocksDB would flush a memtable at nearly every write. */
  static final long MIN_TOTAL_BYTES = 8L * 1024 * 1024;

  /** The one budget of the process: the first store opened creates it, the others share it. */
  private static Budget shared;

  /** A block cache and the write buffer manager that counts memtables against it. */
  record Budget(long totalBytes, Cache cache, WriteBufferManager writeBuffers) {
    static Budget of(long totalBytes) {
      Cache cache = new LRUCache(totalBytes, -1, false, 0.1);
      // A third for memtables (writes not yet flushed): 16 MB of the default 48.
      return new Budget(totalBytes, cache, new WriteBufferManager(totalBytes / 3, cache));
    }
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Budget budget = budget(configs);
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(budget.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(budget.writeBuffers());
    options.setWriteBufferSize(Math.min(4L * 1024 * 1024, budget.totalBytes() / 12));
    options.setMaxWriteBufferNumber(2);
    options.setTableFormatConfig(table);
  }

  /**
   * The process's budget, created on the first call from {@link #MEMORY} in the stream's config.
   */
  static synchronized Budget budget(Map<String, Object> configs) {
    if (shared == null) {
      Object value = configs.get(MEMORY);
      shared = Budget.of(value == null ? DEFAULT_TOTAL_BYTES : bytes(value.toString()));
      LOG.infof(
          "State stores share %d MB of off-heap memory (RocksDB block cache and memtables)",
          shared.totalBytes() >> 20);
    }
    return shared;
  }

  /**
   * {@code 48M}, {@code 512k}, {@code 1G} or a number of bytes; at least {@link #MIN_TOTAL_BYTES}.
   */
  static long bytes(String size) {
    long bytes;
    try {
      // Quarkus's own size syntax, as for its other memory settings.
      MemorySize parsed = new MemorySizeConverter().convert(size.trim());
      if (parsed == null) {
        throw new IllegalArgumentException("empty");
      }
      bytes = parsed.asLongValue();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "portcullis.stream.state-memory: '" + size + "' is not a size such as 48M or 1G", e);
    }
    if (bytes < MIN_TOTAL_BYTES) {
      throw new IllegalArgumentException(
          "portcullis.stream.state-memory: "
              + size
              + " is below the smallest budget, "
              + (MIN_TOTAL_BYTES >> 20)
              + "M");
    }
    return bytes;
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write buffer manager are shared: they live as long as the process.
  }
}
