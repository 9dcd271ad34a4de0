package io.albjobs.operator.scope;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.crd.SecretReference;
import io.albjobs.operator.status.Problem;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Works out the account scope of a watch or AsyncJob: its endpoint and its credentials, read from a
 * Secret in the object's own namespace or, when none is named, the operator's own chain — each only
 * as far as the {@link TenancyPolicy} allows.
 */
public final class ScopeResolver {
  public static final String KEY_ID = "accessKeyId";
  public static final String KEY_SECRET = "accessKeySecret";
  public static final String TOKEN = "securityToken";

  /** How long credentials read from a Secret are reused before the Secret is read again. */
  public static final Duration SECRET_TTL = Duration.ofSeconds(10);

  private static final String SOURCE_PREFIX = "secret ";

  private record Cached(AlbCredentials credentials, long readAtNanos) {}

  private final KubernetesClient client;
  private final String defaultEndpoint;
  private final Duration secretTtl;
  private final LongSupplier nanoTime;
  private final TenancyPolicy policy;
  private final Map<String, Cached> secrets = new ConcurrentHashMap<>();

  public ScopeResolver(KubernetesClient client, String defaultEndpoint, TenancyPolicy policy) {
    this(client, defaultEndpoint, SECRET_TTL, System::nanoTime, policy);
  }

  /**
   * Credentials read from a Secret are kept for {@code secretTtl}: every watch of a namespace polls
   * with the same Secret, and a GET per poll would be most of the operator's API traffic when idle.
   * A rotated Secret is used within {@code secretTtl}; a Secret that could not be read or was
   * incomplete is read again at the next poll.
   */
  public ScopeResolver(
      KubernetesClient client,
      String defaultEndpoint,
      Duration secretTtl,
      LongSupplier nanoTime,
      TenancyPolicy policy) {
    this.client = client;
    this.policy = policy;
    this.defaultEndpoint = defaultEndpoint;
    this.secretTtl = secretTtl;
    this.nanoTime = nanoTime;
  }

  public AccountScope resolve(
      String namespace, String regionId, String endpoint, SecretReference secretRef)
      throws Problem {
    AlbEndpoint resolved;
    try {
      resolved = AlbEndpoint.resolve(endpoint, defaultEndpoint, regionId);
    } catch (IllegalArgumentException e) {
      throw new Problem("InvalidEndpoint", e.getMessage());
    }
    policy.checkEndpoint(resolved);
    if (secretRef == null || secretRef.getName() == null) {
      policy.checkAmbient(namespace);
    }
    AlbCredentials credentials =
        secretRef == null || secretRef.getName() == null
            ? new AlbCredentials.DefaultChain()
            : fromSecret(namespace, secretRef.getName());
    return new AccountScope(regionId, resolved, credentials);
  }

  /**
   * The credentials last read from the Secret a scope's credentials came from ({@code source} as in
   * {@link AlbCredentials.StaticKeys#source()}, {@code "secret ns/name"}), or null when not known
   * (not read yet, or its cache entry expired).
   */
  public AlbCredentials currentCredentials(String source) {
    if (source == null || !source.startsWith(SOURCE_PREFIX)) {
      return null;
    }
    Cached cached = secrets.get(source.substring(SOURCE_PREFIX.length()));
    return cached == null ? null : cached.credentials();
  }

  private AlbCredentials fromSecret(String namespace, String name) throws Problem {
    String key = namespace + "/" + name;
    long now = nanoTime.getAsLong();
    Cached cached = secrets.get(key);
    if (cached != null && now - cached.readAtNanos() < secretTtl.toNanos()) {
      return cached.credentials();
    }
    secrets.remove(key);
    AlbCredentials read = readSecret(namespace, name);
    secrets.put(key, new Cached(read, now));
    return read;
  }

  private AlbCredentials readSecret(String namespace, String name) throws Problem {
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        throw new Problem(
            "SecretForbidden",
            "the operator may not read Secret "
                + name
                + " in namespace "
                + namespace
                + "; grant it get on secrets there (the chart's RBAC does for watched namespaces)");
      }
      throw new Problem(
          "SecretUnreadable",
          "could not read Secret " + name + " in namespace " + namespace + ": HTTP " + e.getCode());
    }
    if (secret == null) {
      throw new Problem(
          "SecretNotFound",
          "Secret "
              + name
              + " in namespace "
              + namespace
              + " not found; create it with keys accessKeyId and accessKeySecret");
    }
    String id = value(secret, KEY_ID);
    String key = value(secret, KEY_SECRET);
    for (String[] required : new String[][] {{KEY_ID, id}, {KEY_SECRET, key}}) {
      if (required[1] == null || required[1].isBlank()) {
        throw new Problem(
            "SecretKeyMissing",
            "Secret " + name + " in namespace " + namespace + " has no key " + required[0]);
      }
    }
    String token = value(secret, TOKEN);
    return new AlbCredentials.StaticKeys(
        SOURCE_PREFIX + namespace + "/" + name,
        id.trim(),
        key.trim(),
        token == null || token.isBlank() ? null : token.trim());
  }

  private static String value(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
    }
    Map<String, String> plain = secret.getStringData();
    return plain == null ? null : plain.get(key);
  }
}
