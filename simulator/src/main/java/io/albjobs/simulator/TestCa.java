package io.albjobs.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority made with the JDK's keytool, and a server certificate it
 * issued for {@code 127.0.0.1}: a test server presents {@link #serverContext()}, and a client (or a
 * JVM, through {@code -Djavax.net.ssl.trustStore}) trusts {@link #trustStore()}. Nothing turns
 * certificate verification off.
 */
public final class TestCa {
  public static final String PASSWORD = "changeit";
  private final Path dir;

  private TestCa(Path dir) {
    this.dir = dir;
  }

  public static TestCa create(Path dir) throws IOException, InterruptedException {
    return create(dir, List.of());
  }

  /** As {@link #create(Path)}, the server certificate valid for {@code extraIps} too. */
  public static TestCa create(Path dir, List<String> extraIps)
      throws IOException, InterruptedException {
    StringBuilder san = new StringBuilder("SAN=ip:127.0.0.1,dns:localhost");
    extraIps.forEach(ip -> san.append(",ip:").append(ip));
    Files.createDirectories(dir);
    Path ca = dir.resolve("ca.p12");
    Path server = dir.resolve("server.p12");
    Path trust = dir.resolve("trust.p12");
    for (Path p :
        List.of(
            ca,
            server,
            trust,
            dir.resolve("ca.pem"),
            dir.resolve("server.csr"),
            dir.resolve("server.pem"))) {
      Files.deleteIfExists(p);
    }
    keytool(
        null,
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=albjobs test CA",
        "-ext",
        "bc:c",
        "-storetype",
        "PKCS12",
        "-keystore",
        ca.toString());
    keytool(
        null,
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-file",
        dir.resolve("ca.pem").toString());
    keytool(
        null,
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=127.0.0.1",
        "-storetype",
        "PKCS12",
        "-keystore",
        server.toString());
    keytool(
        null,
        "-certreq",
        "-alias",
        "server",
        "-keystore",
        server.toString(),
        "-file",
        dir.resolve("server.csr").toString());
    keytool(
        null,
        "-gencert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-validity",
        "2",
        "-ext",
        san.toString(),
        "-infile",
        dir.resolve("server.csr").toString(),
        "-outfile",
        dir.resolve("server.pem").toString());
    keytool(
        null,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-keystore",
        server.toString(),
        "-file",
        dir.resolve("ca.pem").toString());
    keytool(
        null,
        "-importcert",
        "-alias",
        "server",
        "-keystore",
        server.toString(),
        "-file",
        dir.resolve("server.pem").toString());
    keytool(
        null,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-storetype",
        "PKCS12",
        "-keystore",
        trust.toString(),
        "-file",
        dir.resolve("ca.pem").toString());
    return new TestCa(dir);
  }

  /** A PKCS12 truststore holding only the CA (password {@value #PASSWORD}). */
  public Path trustStore() {
    return dir.resolve("trust.p12");
  }

  /** TLS for a server on 127.0.0.1 with the CA-issued certificate. */
  public SSLContext serverContext() throws Exception {
    KeyStore ks = load(dir.resolve("server.p12"));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    return ssl;
  }

  /** TLS for a client that trusts this CA only. */
  public SSLContext clientContext() throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load(trustStore()));
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }

  private static KeyStore load(Path file) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  private static void keytool(String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storepass", PASSWORD));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + out);
    }
  }
}
