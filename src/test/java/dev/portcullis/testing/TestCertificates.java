package dev.portcullis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed server certificate for the tests, made once per build by the JDK's {@code keytool}
 * into {@code target/webhook-tls/}: a PKCS#12 key store and the same certificate and key as PEM
 * files ({@code tls.crt}, {@code tls.key}), the form cert-manager writes into a Secret and the
 * service is configured with. Valid for {@code localhost} and {@code 127.0.0.1}.
 */
public final class TestCertificates {

  static final String ALIAS = "portcullis-webhook";
  static final char[] PASSWORD = "portcullis-test".toCharArray();
  static final Path DIR = Path.of("target", "webhook-tls").toAbsolutePath();

  private static boolean made;

  private TestCertificates() {}

  /** The PEM certificate, made on first use. */
  public static synchronized Path cert() {
    make();
    return DIR.resolve("tls.crt");
  }

  /** The PEM private key (PKCS#8), made on first use. */
  public static synchronized Path key() {
    make();
    return DIR.resolve("tls.key");
  }

  /** The PKCS#12 key store holding the key and certificate. */
  public static synchronized Path keyStore() {
    make();
    return DIR.resolve("keystore.p12");
  }

  /** An SSL context that trusts exactly the test certificate. */
  public static SSLContext trusting() {
    try (InputStream in = Files.newInputStream(keyStore())) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(ALIAS, ks.getCertificate(ALIAS));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HTTP client that trusts the test certificate (and nothing else). */
  public static HttpClient client() {
    return HttpClient.newBuilder()
        .sslContext(trusting())
        .connectTimeout(Duration.ofSeconds(10))
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  private static void make() {
    if (made) {
      return;
    }
    try {
      Files.createDirectories(DIR);
      Path p12 = DIR.resolve("keystore.p12");
      Files.deleteIfExists(p12);
      Process keytool =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                  "-genkeypair",
                  "-alias",
                  ALIAS,
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-validity",
                  "7",
                  "-dname",
                  "CN=portcullis-webhook.portcullis.svc",
                  "-ext",
                  "SAN=dns:localhost,dns:portcullis-webhook.portcullis.svc,ip:127.0.0.1",
                  "-keystore",
                  p12.toString(),
                  "-storetype",
                  "PKCS12",
                  "-storepass",
                  new String(PASSWORD),
                  "-keypass",
                  new String(PASSWORD))
              .redirectErrorStream(true)
              .start();
      String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + out);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(p12)) {
        ks.load(in, PASSWORD);
      }
      Certificate cert = ks.getCertificate(ALIAS);
      Key key = ks.getKey(ALIAS, PASSWORD);
      Files.writeString(DIR.resolve("tls.crt"), pem("CERTIFICATE", cert.getEncoded()));
      Files.writeString(DIR.resolve("tls.key"), pem("PRIVATE KEY", key.getEncoded()));
      made = true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
