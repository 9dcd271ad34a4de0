package io.albjobs.it.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver on free loopback ports, RBAC
 * authorization on, static tokens for an admin and for least-privilege users, our CRDs installed.
 * Binaries come from {@code scripts/provision-k8s.sh} (cache outside the work tree).
 */
public final class ControlPlane implements AutoCloseable {
  public static final String ADMIN_TOKEN = "admin-" + randomToken();
  public static final String OPERATOR_TOKEN = "operator-" + randomToken();
  public static final String OPERATOR_USER = "alb-asyncjob-operator";

  private final Path dir;
  private final Binaries bin;
  private final List<Process> processes = new ArrayList<>();
  private List<String> apiServerCommand;
  private final int apiPort;
  private final Path kubeconfig;
  private final KubernetesClient admin;
  private final Duration startup;

  private ControlPlane(Binaries bin) throws IOException, InterruptedException {
    long start = System.nanoTime();
    this.bin = bin;
    this.dir = Files.createTempDirectory("albjobs-control-plane");
    int etcdPort = freePort();
    int peerPort = freePort();
    apiPort = freePort();
    startEtcd(etcdPort, peerPort);
    startApiServer(etcdPort);
    kubeconfig = writeKubeconfig("admin", ADMIN_TOKEN, dir.resolve("kubeconfig"));
    admin = client(ADMIN_TOKEN);
    installCrds();
    startup = Duration.ofNanos(System.nanoTime() - start);
  }

  /** Starts a control plane; throws with the reason if the binaries are missing. */
  public static ControlPlane start() {
    try {
      return new ControlPlane(Binaries.locate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void startEtcd(int port, int peerPort) throws IOException {
    String client = "http://127.0.0.1:" + port;
    String peer = "http://127.0.0.1:" + peerPort;
    spawn(
        "etcd",
        List.of(
            bin.etcd().toString(),
            "--name=test",
            "--data-dir=" + dir.resolve("etcd"),
            "--listen-client-urls=" + client,
            "--advertise-client-urls=" + client,
            "--listen-peer-urls=" + peer,
            "--initial-advertise-peer-urls=" + peer,
            "--initial-cluster=test=" + peer,
            "--unsafe-no-fsync=true",
            "--log-level=warn"));
  }

  private void startApiServer(int etcdPort) throws IOException, InterruptedException {
    KeyPair sa = rsa();
    Path key = dir.resolve("sa.key");
    Path pub = dir.resolve("sa.pub");
    Files.writeString(key, pem("PRIVATE KEY", sa.getPrivate().getEncoded()));
    Files.writeString(pub, pem("PUBLIC KEY", sa.getPublic().getEncoded()));
    Path tokens = dir.resolve("tokens.csv");
    Files.writeString(
        tokens,
        ADMIN_TOKEN
            + ",admin,admin-uid,\"system:masters\"\n"
            + OPERATOR_TOKEN
            + ","
            + OPERATOR_USER
            + ",operator-uid,\"system:authenticated\"\n");
    apiServerCommand =
        List.of(
            bin.kubeApiServer().toString(),
            "--etcd-servers=http://127.0.0.1:" + etcdPort,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            "--secure-port=" + apiPort,
            "--cert-dir=" + dir.resolve("certs"),
            "--authorization-mode=RBAC",
            "--token-auth-file=" + tokens,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=" + pub,
            "--service-account-signing-key-file=" + key,
            "--service-cluster-ip-range=10.96.0.0/16",
            "--allow-privileged=true",
            "--disable-admission-plugins=ServiceAccount",
            "--endpoint-reconciler-type=none",
            "--profiling=false",
            "--v=0");
    spawn("kube-apiserver", apiServerCommand);
    waitReady(Duration.ofSeconds(90));
  }

  private static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void spawn(String name, List<String> command) throws IOException {
    Path log = dir.resolve(name + ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    processes.add(p);
  }

  private void waitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(trustAll())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "a control-plane process exited; logs in " + dir + "\n" + tail());
        }
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(server() + "/readyz"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "kube-apiserver not ready after " + timeout + ": " + last + "\n" + tail());
  }

  private String tail() {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("etcd", "kube-apiserver")) {
      try {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
        out.append("--- ").append(name).append(" ---\n");
        lines
            .subList(Math.max(0, lines.size() - 15), lines.size())
            .forEach(l -> out.append(l).append('\n'));
      } catch (IOException e) {
        out.append(name).append(": no log\n");
      }
    }
    return out.toString();
  }

  private void installCrds() throws IOException {
    try (var files = Files.list(Path.of(System.getProperty("albjobs.crdDir", "../crds")))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          CustomResourceDefinition crd =
              admin.apiextensions().v1().customResourceDefinitions().load(in).item();
          admin.resource(crd).serverSideApply();
          admin
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(crd.getMetadata().getName())
              .waitUntilCondition(
                  c ->
                      c.getStatus() != null
                          && c.getStatus().getConditions() != null
                          && c.getStatus().getConditions().stream()
                              .anyMatch(
                                  x ->
                                      "Established".equals(x.getType())
                                          && "True".equals(x.getStatus())),
                  30,
                  TimeUnit.SECONDS);
        }
      }
    }
  }

  /**
   * Kills kube-apiserver (SIGKILL) and starts it again on the same port and etcd, as a control
   * plane upgrade or crash would; returns once it is ready again.
   */
  public synchronized Duration restartApiServer() {
    long start = System.nanoTime();
    Process old = processes.remove(processes.size() - 1);
    old.destroyForcibly();
    try {
      old.waitFor(10, TimeUnit.SECONDS);
      spawn("kube-apiserver", apiServerCommand);
      waitReady(Duration.ofSeconds(90));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Writes a kubeconfig for a token (the API server's certificate is self-signed). */
  public Path writeKubeconfig(String user, String token, Path file) throws IOException {
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: test",
            "  cluster:",
            "    server: " + server(),
            "    insecure-skip-tls-verify: true",
            "users:",
            "- name: " + user,
            "  user:",
            "    token: " + token,
            "contexts:",
            "- name: test",
            "  context:",
            "    cluster: test",
            "    user: " + user,
            "    namespace: default",
            "current-context: test",
            ""));
    return file;
  }

  public String server() {
    return "https://127.0.0.1:" + apiPort;
  }

  public KubernetesClient client(String token) {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(server())
            .withOauthToken(token)
            .withTrustCerts(true)
            .withDisableHostnameVerification(true)
            .withNamespace("default")
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  public KubernetesClient admin() {
    return admin;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Binaries binaries() {
    return bin;
  }

  public Path dir() {
    return dir;
  }

  public Duration startupTime() {
    return startup;
  }

  /** Runs the real kubectl with the admin kubeconfig. */
  public Kubectl kubectl() {
    return new Kubectl(bin.kubectl(), kubeconfig);
  }

  @Override
  public void close() {
    admin.close();
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
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

  private static String randomToken() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }

  /**
   * TLS that accepts the control plane's self-signed serving certificate (tests only, loopback).
   */
  public static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              public void checkClientTrusted(X509Certificate[] c, String a) {}

              public void checkServerTrusted(X509Certificate[] c, String a) {}

              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          new SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
