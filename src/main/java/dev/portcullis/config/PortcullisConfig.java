package dev.portcullis.config;

import dev.portcullis.policy.Enforcement;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;

/**
 * Every setting of Portcullis, under the prefix {@code portcullis}. Each key has a default that
 * runs out of the box; environment variables follow the usual mapping ({@code
 * PORTCULLIS_INGEST_DEDUP_WINDOW} for {@code portcullis.ingest.dedup-window}).
 */
@ConfigMapping(prefix = "portcullis")
public interface PortcullisConfig {

  /** Kafka topic names. */
  Topics topics();

  /** How input records are read, de-duplicated and written back. */
  Ingest ingest();

  /** Where policies come from and how they are enforced. */
  Policy policy();

  /** The in-process broker started when no Kafka bootstrap servers are configured. */
  @WithName("embedded-kafka")
  EmbeddedKafka embeddedKafka();

  /** Topic names; the channels in application.properties read the same keys. */
  interface Topics {
    /** CloudTrail input: single records, log files (also gzip), EventBridge envelopes. */
    @WithDefault("portcullis.cloudtrail")
    String cloudtrail();

    /** Kubernetes audit input: Event or EventList (v1, v1beta1). */
    @WithName("k8s-audit")
    @WithDefault("portcullis.k8s-audit")
    String k8sAudit();

    /** Output: exactly one decision record per change event, keyed by event id. */
    @WithDefault("portcullis.decisions")
    String decisions();

    /** Output: every input that could not be parsed or evaluated, with the reason. */
    @WithName("dead-letter")
    @WithDefault("portcullis.dead-letter")
    String deadLetter();

    /** Create missing topics at start-up (always done for the embedded broker). */
    @WithDefault("true")
    boolean create();

    /**
     * Internal: every change event re-keyed by the scope its state belongs to (a bucket, a hosted
     * zone, a Kubernetes request, an event id), so all events about one resource meet in one
     * partition, whichever instance owns it. Also carries the guard's observations.
     */
    @WithDefault("portcullis.changes")
    String changes();

    /**
     * Partitions of topics Portcullis creates: the most instances that share the work (an instance
     * beyond that count stands by). Changing it on existing topics moves state: do not.
     */
    @WithDefault("6")
    int partitions();
  }

  /** Input handling. */
  interface Ingest {
    /** Largest input record accepted, compressed or decompressed, in bytes. */
    @WithDefault("16777216")
    int maxBytes();

    /**
     * Refuse, on the Kafka topics too, records without the fields every genuine sender writes (an
     * audit event's auditID, verb, user and stage; a CloudTrail record's eventSource and
     * userIdentity). Off by default: the topics also carry what exporters and detection suites
     * write, which leave some out. The HTTP intakes and the S3 bridge always require them; wrong
     * types are refused everywhere (see RecordChecks).
     */
    @WithDefault("false")
    boolean requireFields();

    /**
     * How long, in event time, an event id is remembered to drop a second delivery of the same
     * event.
     */
    @WithDefault("PT1H")
    Duration dedupWindow();

    /**
     * Upper bound on remembered event ids per partition of the changes topic; the oldest are
     * forgotten first (checked once a minute).
     */
    @WithDefault("200000")
    int dedupMaxEntries();

    /**
     * How long a Kubernetes {@code RequestReceived} stage waits for the {@code ResponseComplete}
     * stage of the same request before it is decided on its own (the waiting stage is kept in the
     * stream's state, so a restart does not lose it).
     */
    @WithDefault("PT10S")
    Duration stageWait();
  }

  /** The stateful stream (Kafka Streams; see docs/architecture.md). */
  Stream stream();

  /** Kafka Streams settings Portcullis chooses; any other goes as {@code kafka-streams.<key>}. */
  interface Stream {
    /**
     * How often each partition's waiting work is looked at on the wall clock: audit stages whose
     * final stage did not come, and event ids older than the dedup window.
     */
    @WithDefault("PT1S")
    Duration tick();

    /**
     * At most how long a starting service warms up on its policies' test-case events before its
     * stream takes the first event, so that the first events after a restart are judged by compiled
     * code, not the interpreter (docs/benchmarks.md, "Warm start"); 0 skips it.
     */
    @WithDefault("PT2S")
    Duration warmUp();

    /**
     * Off-heap memory of the stream's state (RocksDB): one block cache shared by every store of the
     * process, with their memtables counted in it ({@code 48M}, {@code 1G}; at least {@code 8M}).
     * Reads of state that is not cached go to disk; the process's resident memory grows by this
     * much as the cache fills (docs/benchmarks.md, "Memory").
     */
    @WithDefault("48M")
    String stateMemory();
  }

  /** Policies. */
  interface Policy {
    /**
     * Folder of policies. When it does not exist, the policies bundled in the application are used.
     */
    @WithDefault("rules")
    String dir();

    /**
     * Per-policy enforcement override, e.g. {@code
     * portcullis.policy.enforcement."noisy-policy"=audit}: takes effect without editing the policy.
     */
    Map<String, Enforcement> enforcement();

    /**
     * Per-policy parameter overrides as a JSON object merged over the defaults in the policy's
     * {@code policy.yaml}, e.g. {@code
     * portcullis.policy.parameters."manual-change"={"accounts":["111122223333"]}}.
     */
    Map<String, String> parameters();

    /**
     * Drools constraint JIT threshold. -1 (off) avoids a Drools 10.2.0 bug with {@code str[...]}
     * operators (apache/incubator-kie-drools#6711).
     */
    @WithDefault("-1")
    int jittingThreshold();

    /**
     * Reload the policies when a file under {@link #dir()} changes (a broken change is rejected and
     * the running policies stay). {@code POST /v1/policies/reload} works either way.
     */
    @WithDefault("true")
    boolean watch();

    /** Quiet time after the last file change before reloading: one save is often several writes. */
    @WithDefault("PT0.5S")
    Duration watchQuietPeriod();

    /** Reviewed exceptions ({@code exceptions/*.yaml} in the policies folder). */
    Exceptions exceptions();
  }

  /** Limits on reviewed exceptions. */
  interface Exceptions {
    /** The latest an exception may expire, counted from when it is loaded. */
    @WithDefault("P90D")
    Duration maxAhead();

    /**
     * Exceptions expiring within this time are listed as expiring at {@code GET /v1/exceptions} and
     * counted in {@code portcullis.policy.exceptions.expiring}.
     */
    @WithDefault("P7D")
    Duration expiryWarning();
  }

  /** The in-process single-node KRaft broker. */
  interface EmbeddedKafka {
    /** Port of the broker's PLAINTEXT listener on 127.0.0.1. */
    @WithDefault("9092")
    int port();

    /** Data folder, kept across restarts. */
    @WithDefault("data/kafka")
    String dataDir();
  }
}
