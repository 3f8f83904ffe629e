package dev.portcullis.enforce;

import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.FactProvider;
import dev.portcullis.event.ChangeEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only enrichment: the standard one plus a fact provider that stalls on every event in the
 * namespace {@value #NAMESPACE} until the test releases it, as a slow lookup would. Selected only
 * by the test profiles that list it as an enabled alternative; everywhere else the service's own
 * {@link Enrichment} stays.
 */
@Alternative
@ApplicationScoped
public class StallingEnrichment {

  /** Events in this namespace stall. */
  public static final String NAMESPACE = "slow-lane";

  private static volatile CountDownLatch release = new CountDownLatch(1);
  private static final AtomicInteger stalled = new AtomicInteger();
  private static final AtomicInteger finished = new AtomicInteger();

  /** Makes the next stalled evaluations wait again. */
  public static void arm() {
    release = new CountDownLatch(1);
  }

  /** Lets every stalled evaluation go on. */
  public static void release() {
    release.countDown();
  }

  /** Evaluations that started to stall so far. */
  public static int stalled() {
    return stalled.get();
  }

  /** Stalled evaluations that went on since. */
  public static int finished() {
    return finished.get();
  }

  @Produces
  @Alternative
  @Singleton
  Enrichment enrichment() {
    Enrichment standard = Enrichment.standard();
    List<FactProvider> providers = new ArrayList<>(standard.providers());
    providers.add(new Stall());
    return new Enrichment(standard.enrichers(), providers);
  }

  static final class Stall implements FactProvider {
    @Override
    public List<Object> facts(ChangeEvent e, FactContext ctx) {
      if (NAMESPACE.equals(e.getTarget().getNamespace())) {
        stalled.incrementAndGet();
        try {
          // Bounded, so a test that forgets to release never leaves a thread behind for long.
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
        finished.incrementAndGet();
      }
      return List.of();
    }
  }
}
