package dev.portcullis.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Command-line tools from Debian that some tests drive for real (kcat, Alertmanager). {@code
 * .ci/run} installs them; on a developer machine of the same kind (Debian, root) a missing tool is
 * installed with apt-get on first use, so the README's test command works there too. Anywhere else
 * a missing tool fails the test with the command that installs it: never a silent skip.
 */
public final class SystemTools {

  private SystemTools() {}

  /** The absolute path of {@code command}, installing {@code debianPackage} when needed. */
  public static synchronized String require(String command, String debianPackage) {
    String found = which(command);
    if (found != null) {
      return found;
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root && which("apt-get") != null) {
      run("apt-get", "update", "-qq");
      run("apt-get", "install", "-y", "-qq", debianPackage);
      found = which(command);
      if (found != null) {
        return found;
      }
    }
    throw new IllegalStateException(
        command
            + " is needed by this test and is not installed: apt-get install -y "
            + debianPackage
            + " (.ci/run does this)");
  }

  private static String which(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, command);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private static void run(String... cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
