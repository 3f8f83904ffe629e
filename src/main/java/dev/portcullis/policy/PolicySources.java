package dev.portcullis.policy;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Reads the files of a policy folder into memory: from a directory on disk, or from the copy
 * bundled in the application (classpath {@code portcullis/rules/}). Paths are relative to the
 * folder and use {@code /}.
 */
public final class PolicySources {

  /** Classpath location of the bundled policies. */
  public static final String BUNDLED = "portcullis/rules";

  private PolicySources() {}

  /** Every regular file under {@code dir}, by relative path, in a stable order. */
  public static Map<String, byte[]> fromDirectory(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p) && !isHidden(dir.relativize(p))) {
          files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        }
      }
    }
    return files;
  }

  /** The policies bundled in the application. */
  public static Map<String, byte[]> bundled() throws IOException {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    URL url = cl.getResource(BUNDLED);
    if (url == null) {
      throw new IOException("no bundled policies on the classpath at " + BUNDLED);
    }
    if ("file".equals(url.getProtocol())) {
      try {
        return fromDirectory(Paths.get(url.toURI()));
      } catch (URISyntaxException e) {
        throw new IOException(e);
      }
    }
    if ("jar".equals(url.getProtocol())) {
      Map<String, byte[]> files = new TreeMap<>();
      JarURLConnection conn = (JarURLConnection) url.openConnection();
      conn.setUseCaches(false);
      try (JarFile jar = conn.getJarFile()) {
        String prefix = BUNDLED + "/";
        for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
          JarEntry e = en.nextElement();
          if (!e.isDirectory() && e.getName().startsWith(prefix)) {
            String rel = e.getName().substring(prefix.length());
            if (!isHidden(Paths.get(rel))) {
              try (InputStream in = jar.getInputStream(e)) {
                files.put(rel, in.readAllBytes());
              }
            }
          }
        }
      }
      return files;
    }
    throw new IOException("cannot list bundled policies at " + url);
  }

  private static boolean isHidden(Path rel) {
    for (Path part : rel) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
