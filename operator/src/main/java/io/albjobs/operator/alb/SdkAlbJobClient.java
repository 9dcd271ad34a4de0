package io.albjobs.operator.alb;

import com.aliyuncs.CommonRequest;
import com.aliyuncs.CommonResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.auth.AlibabaCloudCredentialsProvider;
import com.aliyuncs.auth.BasicCredentials;
import com.aliyuncs.auth.BasicSessionCredentials;
import com.aliyuncs.auth.DefaultCredentialsProvider;
import com.aliyuncs.auth.StaticCredentialsProvider;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.exceptions.ServerException;
import com.aliyuncs.http.MethodType;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import java.time.Duration;
import java.util.List;

/**
 * {@link AlbJobClient} over aliyun-java-sdk-core's signed RPC client ({@code CommonRequest}). Kept
 * thin: it builds the request, sends it once and turns the answer or the error into our types.
 */
public final class SdkAlbJobClient implements AlbJobClient, AutoCloseable {
  static final String ACTION = "ListAsynJobs";
  static final String VERSION = "2020-06-16";

  private final DefaultAcsClient client;
  private final AlbEndpoint endpoint;
  private final String regionId;
  private final Duration connectTimeout;
  private final Duration readTimeout;

  public SdkAlbJobClient(
      AlbEndpoint endpoint,
      String regionId,
      AlbCredentials credentials,
      Duration connectTimeout,
      Duration readTimeout)
      throws AlbException {
    this(endpoint, regionId, credentials, connectTimeout, readTimeout, null);
  }

  /**
   * As above; {@code ambient} (may be null) signs the calls of a scope with the operator's own
   * chain ({@link AlbCredentials.DefaultChain}) instead of the SDK's default chain: RRSA's
   * provider, shared by every scope so that one token exchange serves them all.
   */
  public SdkAlbJobClient(
      AlbEndpoint endpoint,
      String regionId,
      AlbCredentials credentials,
      Duration connectTimeout,
      Duration readTimeout,
      AlibabaCloudCredentialsProvider ambient)
      throws AlbException {
    this.endpoint = endpoint;
    this.regionId = regionId;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.client =
        new DefaultAcsClient(DefaultProfile.getProfile(regionId), provider(credentials, ambient));
  }

  private static AlibabaCloudCredentialsProvider provider(
      AlbCredentials credentials, AlibabaCloudCredentialsProvider ambient) throws AlbException {
    if (credentials instanceof AlbCredentials.StaticKeys keys) {
      return new StaticCredentialsProvider(
          keys.securityToken() == null
              ? new BasicCredentials(keys.accessKeyId(), keys.accessKeySecret())
              : new BasicSessionCredentials(
                  keys.accessKeyId(), keys.accessKeySecret(), keys.securityToken()));
    }
    if (ambient != null) {
      return ambient;
    }
    try {
      return new DefaultCredentialsProvider();
    } catch (ClientException e) {
      throw new AlbException(
          ErrorKind.TERMINAL,
          "NoCredentials",
          0,
          "the operator's default credential chain found no credentials: " + e.getErrMsg(),
          null);
    }
  }

  @Override
  public JobPage listJobs(JobQuery query, String nextToken, int maxResults) throws AlbException {
    CommonRequest request = request(ACTION);
    request.putQueryParameter("MaxResults", Integer.toString(maxResults));
    putIfSet(request, "ResourceType", query.resourceType());
    putIfSet(request, "ApiName", query.apiName());
    putIfSet(request, "NextToken", nextToken);
    if (query.beginTimeMillis() != null) {
      request.putQueryParameter("BeginTime", Long.toString(query.beginTimeMillis()));
    }
    if (query.endTimeMillis() != null) {
      request.putQueryParameter("EndTime", Long.toString(query.endTimeMillis()));
    }
    putList(request, "JobIds", query.jobIds());
    putList(request, "ResourceIds", query.resourceIds());
    CommonResponse response = send(request);
    return ResponseParser.parse(response.getData(), maxResults)
        .withServerTime(serverTime(response));
  }

  @Override
  public com.fasterxml.jackson.databind.JsonNode read(
      String action, java.util.Map<String, String> params) throws AlbException {
    if (!ChildLister.ACTIONS.contains(action)) {
      // Observe only: this client never sends anything but the read-only actions it knows.
      throw new IllegalArgumentException("not a read-only action the operator uses: " + action);
    }
    CommonRequest request = request(action);
    params.forEach((name, value) -> putIfSet(request, name, value));
    CommonResponse response = send(request);
    try {
      com.fasterxml.jackson.databind.JsonNode root = JSON.readTree(response.getData());
      if (root == null || !root.isObject()) {
        throw new java.io.IOException("not an object");
      }
      return root;
    } catch (java.io.IOException e) {
      throw new AlbException(
          ErrorKind.RETRYABLE,
          "MalformedResponse",
          200,
          "malformed " + action + " answer: body is not a JSON object",
          null);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private CommonRequest request(String action) {
    CommonRequest request = new CommonRequest();
    request.setSysMethod(MethodType.POST);
    request.setSysProtocol(endpoint.https() ? ProtocolType.HTTPS : ProtocolType.HTTP);
    request.setSysDomain(endpoint.hostAndPort());
    request.setSysVersion(VERSION);
    request.setSysAction(action);
    request.setSysRegionId(regionId);
    request.setSysConnectTimeout((int) connectTimeout.toMillis());
    request.setSysReadTimeout((int) readTimeout.toMillis());
    request.putQueryParameter("RegionId", regionId);
    return request;
  }

  private CommonResponse send(CommonRequest request) throws AlbException {
    CommonResponse response;
    try {
      response = client.getCommonResponse(request);
    } catch (ServerException e) {
      throw translate(e, 500);
    } catch (ClientException e) {
      if (causedBy(e, java.net.UnknownHostException.class)) {
        throw new AlbException(
            ErrorKind.TERMINAL,
            "EndpointNotFound",
            0,
            "no ALB endpoint answers at "
                + endpoint.hostAndPort()
                + " (DNS lookup failed); check"
                + " spec.regionId, or set spec.endpoint (or --alb-default-endpoint)",
            null);
      }
      throw translate(e, e.getErrCode() != null && e.getErrCode().startsWith("SDK.") ? 0 : 400);
    } catch (RuntimeException e) {
      throw new AlbException(ErrorKind.RETRYABLE, "ClientError", 0, e.toString(), null);
    }
    if (response.getHttpStatus() < 200 || response.getHttpStatus() >= 300) {
      throw new AlbException(
          ErrorClassifier.classify(null, response.getHttpStatus()),
          "HTTP" + response.getHttpStatus(),
          response.getHttpStatus(),
          "ALB answered HTTP " + response.getHttpStatus(),
          null);
    }
    return response;
  }

  /** ALB's clock from the answer's {@code Date} header (second precision), or null. */
  static java.time.Instant serverTime(CommonResponse response) {
    if (response.getHttpResponse() == null || response.getHttpResponse().getHeaders() == null) {
      return null;
    }
    for (java.util.Map.Entry<String, String> h :
        response.getHttpResponse().getHeaders().entrySet()) {
      if ("date".equalsIgnoreCase(h.getKey()) && h.getValue() != null) {
        try {
          return java.time.ZonedDateTime.parse(
                  h.getValue().trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
              .toInstant();
        } catch (java.time.format.DateTimeParseException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static void putIfSet(CommonRequest request, String name, String value) {
    if (value != null && !value.isEmpty()) {
      request.putQueryParameter(name, value);
    }
  }

  /** ALB's flat, 1-based repeat-list form: {@code JobIds.1=a&JobIds.2=b}. */
  private static void putList(CommonRequest request, String name, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      request.putQueryParameter(name + "." + (i + 1), values.get(i));
    }
  }

  private static AlbException translate(ClientException e, int httpStatus) {
    String code = e.getErrCode() == null ? "Unknown" : e.getErrCode();
    return new AlbException(
        ErrorClassifier.classify(code, httpStatus),
        code,
        httpStatus,
        code + ": " + sanitize(e.getErrMsg()),
        e.getRequestId());
  }

  /** ALB's signature errors echo the string to sign; keep only the human part. */
  static String sanitize(String message) {
    String kept = message == null ? "" : Redaction.redact(message).trim();
    return kept.length() > 300 ? kept.substring(0, 300) + "..." : kept;
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
