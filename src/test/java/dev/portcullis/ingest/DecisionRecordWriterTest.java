package dev.portcullis.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.portcullis.policy.DecisionRecord;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

class DecisionRecordWriterTest {

  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

  static DecisionRecord record(String id) {
    return new DecisionRecord(
        id,
        "k8s-admission",
        Instant.parse("2026-12-06T10:00:00Z"),
        null,
        Instant.parse("2026-12-06T10:00:00Z"),
        Instant.parse("2026-12-06T10:00:00Z"),
        null,
        "create",
        null,
        null,
        null,
        "v1",
        List.of());
  }

  @Test
  void recordsFromManyThreadsAreSentOnceEachFromTheWritersOwnThread() throws Exception {
    TakingEmitter emitter = new TakingEmitter(null, true);
    DecisionRecordWriter writer = new DecisionRecordWriter(emitter, JSON, 1000);
    ExecutorService callers = Executors.newFixedThreadPool(4);
    List<CompletableFuture<CompletableFuture<Void>>> calls = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String id = "review-" + i;
      calls.add(CompletableFuture.supplyAsync(() -> writer.write(record(id)), callers));
    }
    for (CompletableFuture<CompletableFuture<Void>> c : calls) {
      c.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }
    callers.shutdown();
    writer.close();

    assertThat(emitter.keys).hasSize(400);
    assertThat(Set.copyOf(emitter.keys)).hasSize(400).contains("review-0", "review-399");
    assertThat(emitter.threads.stream().collect(Collectors.toSet()))
        .containsExactly("portcullis-decision-writer");
    assertThat(new String(emitter.payloads.get(0), StandardCharsets.UTF_8))
        .contains("\"source\":\"k8s-admission\"");
  }

  @Test
  void aSlowEmitterNeitherHoldsTheCallerNorLosesARecordSilently() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    TakingEmitter emitter = new TakingEmitter(open, true);
    DecisionRecordWriter writer = new DecisionRecordWriter(emitter, JSON, 2);

    CompletableFuture<Void> first = writer.write(record("a")); // taken, held in the emitter
    emitter.entered.await(10, TimeUnit.SECONDS);
    CompletableFuture<Void> second = writer.write(record("b")); // queued
    CompletableFuture<Void> third = writer.write(record("c")); // queued
    CompletableFuture<Void> fourth = writer.write(record("d")); // no room

    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
    assertThatThrownBy(() -> fourth.get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("the decision writer's queue is full (2 records waiting");

    open.countDown();
    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);
    third.get(10, TimeUnit.SECONDS);
    writer.close();
    assertThat(emitter.keys).containsExactly("a", "b", "c");

    assertThatThrownBy(() -> writer.write(record("e")).get(1, TimeUnit.SECONDS))
        .hasMessageContaining("the decision writer is closed");
  }

  @Test
  void aRecordKafkaRefusesFailsItsFuture() {
    DecisionRecordWriter writer = new DecisionRecordWriter(new TakingEmitter(null, false), JSON, 8);
    assertThatThrownBy(() -> writer.write(record("x")).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("broker said no");
    writer.close();
  }

  @Test
  void closingHandsOverWhatIsQueued() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    TakingEmitter emitter = new TakingEmitter(open, true);
    DecisionRecordWriter writer = new DecisionRecordWriter(emitter, JSON, 8);
    List<CompletableFuture<Void>> written = new ArrayList<>();
    for (String id : List.of("p", "q", "r")) {
      written.add(writer.write(record(id)));
    }
    emitter.entered.await(10, TimeUnit.SECONDS);
    open.countDown();
    writer.close(); // waits for the queue to drain
    assertThat(emitter.keys).containsExactly("p", "q", "r");
    for (CompletableFuture<Void> w : written) {
      assertThat(w).isCompleted();
    }
  }

  /**
   * Takes messages as the Kafka connector would: acknowledges (or, told so, refuses) each, after
   * waiting for {@code open} when given one.
   */
  static final class TakingEmitter implements Emitter<byte[]> {
    final CountDownLatch open;
    final boolean accept;
    final CountDownLatch entered = new CountDownLatch(1);
    final List<String> keys = new CopyOnWriteArrayList<>();
    final List<byte[]> payloads = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    TakingEmitter(CountDownLatch open, boolean accept) {
      this.open = open;
      this.accept = accept;
    }

    @Override
    public CompletionStage<Void> send(byte[] msg) {
      throw new UnsupportedOperationException("the writer sends messages with metadata");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <M extends Message<? extends byte[]>> void send(M msg) {
      entered.countDown();
      if (open != null) {
        try {
          open.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      threads.add(Thread.currentThread().getName());
      keys.add((String) msg.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey());
      payloads.add(msg.getPayload());
      if (accept) {
        msg.ack();
      } else {
        msg.nack(new IllegalStateException("broker said no"));
      }
    }

    @Override
    public void complete() {}

    @Override
    public void error(Exception e) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean hasRequests() {
      return true;
    }
  }
}
