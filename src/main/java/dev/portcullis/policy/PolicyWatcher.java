package dev.portcullis.policy;

import dev.portcullis.config.PortcullisConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Watches the policies folder (and every folder below it) and asks {@link PolicyEngine#reload} to
 * load it again once changes have settled for {@code portcullis.policy.watch-quiet-period}. Runs on
 * its own daemon thread, so compiling never happens on an evaluation thread. Off when the policies
 * are the bundled ones or {@code portcullis.policy.watch=false}.
 */
@ApplicationScoped
public class PolicyWatcher {

  /** Trigger name of reloads started here (a metric tag). */
  public static final String TRIGGER = "file-watcher";

  private static final Logger LOG = Logger.getLogger(PolicyWatcher.class);

  @Inject PolicyEngine engine;
  @Inject PortcullisConfig config;

  private volatile WatchService watcher;
  private volatile Thread thread;

  void start(@Observes StartupEvent ev) {
    Path dir = engine.directory();
    if (dir == null || !config.policy().watch()) {
      return;
    }
    try {
      watcher = FileSystems.getDefault().newWatchService();
      registerAll(dir);
    } catch (IOException e) {
      LOG.errorf(e, "Cannot watch %s; reload with POST /v1/policies/reload", dir);
      return;
    }
    Duration quiet = config.policy().watchQuietPeriod();
    thread = new Thread(() -> loop(quiet), "policy-watcher");
    thread.setDaemon(true);
    thread.start();
    LOG.infof("Watching %s for policy changes", dir);
  }

  /** True while the folder is watched. */
  public boolean isWatching() {
    return thread != null && thread.isAlive();
  }

  private void loop(Duration quiet) {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean changed = drain(key);
        // Wait until nothing has changed for the quiet period: a save is often several writes.
        WatchKey more;
        while ((more = watcher.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          changed |= drain(more);
        }
        if (changed) {
          engine.reload(TRIGGER);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ClosedWatchServiceException e) {
      // shutting down
    } catch (RuntimeException e) {
      LOG.errorf(e, "The policy watcher stopped; reload with POST /v1/policies/reload");
    }
  }

  private boolean drain(WatchKey key) {
    Path base = (Path) key.watchable();
    boolean changed = false;
    for (WatchEvent<?> ev : key.pollEvents()) {
      changed = true;
      if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE && ev.context() instanceof Path p) {
        Path created = base.resolve(p);
        if (Files.isDirectory(created)) {
          try {
            registerAll(created); // a new policy folder: watch it too
          } catch (IOException e) {
            LOG.warnf("Cannot watch new folder %s: %s", created, e.getMessage());
          }
        }
      }
    }
    key.reset();
    return changed;
  }

  private void registerAll(Path root) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            d.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  void stop(@Observes ShutdownEvent ev) {
    WatchService w = watcher;
    if (w != null) {
      try {
        w.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
