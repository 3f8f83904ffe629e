package dev.portcullis.policy;

import dev.portcullis.config.PortcullisConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Holds the current {@link PolicySet} and evaluates change events against it.
 *
 * <p>Loads {@code portcullis.policy.dir} at start-up, or the bundled policies when that folder does
 * not exist; a folder that does not compile stops the start with every problem listed (running
 * without the policies would let every change through unseen). Safe for concurrent callers.
 */
@Startup(Interceptor.Priority.PLATFORM_BEFORE + 10)
@ApplicationScoped
public class PolicyEngine {

  private static final Logger LOG = Logger.getLogger(PolicyEngine.class);

  @Inject PortcullisConfig config;

  private final AtomicReference<PolicySet> current = new AtomicReference<>();
  private volatile String origin;

  @PostConstruct
  void load() {
    Path dir = Path.of(config.policy().dir());
    PolicyCompiler compiler =
        new PolicyCompiler(config.policy().jittingThreshold(), Clock.systemUTC());
    try {
      Map<String, byte[]> files;
      if (Files.isDirectory(dir)) {
        files = PolicySources.fromDirectory(dir);
        origin = dir.toAbsolutePath().normalize().toString();
      } else {
        files = PolicySources.bundled();
        origin = "bundled policies (no folder at " + dir.toAbsolutePath().normalize() + ")";
      }
      PolicySet set = compiler.compile(files);
      current.set(set);
      set.warnings().forEach(w -> LOG.warnf("policy warning: %s", w));
      LOG.infof(
          "Loaded %d policies %s from %s (version %s)",
          set.policies().size(), set.policies().keySet(), origin, set.version());
    } catch (PolicyLoadException e) {
      throw new IllegalStateException(
          "Policies in " + dir.toAbsolutePath().normalize() + " do not load:\n" + e.getMessage(),
          e);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read policies: " + e.getMessage(), e);
    }
  }

  /** The policies in force now; never null once started. */
  public PolicySet current() {
    return current.get();
  }

  /** Where the policies in force were read from. */
  public String origin() {
    return origin;
  }

  public boolean isLoaded() {
    return current.get() != null;
  }

  /** Enforcement the operator set per policy id, winning over each policy's own. */
  public Map<String, Enforcement> overrides() {
    return config.policy().enforcement();
  }
}
