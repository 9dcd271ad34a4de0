package io.albjobs.simulator;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.aliyuncs.CommonRequest;
import com.aliyuncs.CommonResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.IAcsClient;
import com.aliyuncs.auth.BasicSessionCredentials;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.http.MethodType;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Calls the simulator exactly as the operator does: the real SDK, POST, over loopback HTTP. */
final class SdkCalls {
  static final String REGION = "cn-hangzhou";
  static final ObjectMapper JSON = new ObjectMapper();

  private SdkCalls() {}

  static IAcsClient client(String accessKeyId, String secret) {
    return new DefaultAcsClient(DefaultProfile.getProfile(REGION, accessKeyId, secret));
  }

  static IAcsClient client(String region, String accessKeyId, String secret) {
    return new DefaultAcsClient(DefaultProfile.getProfile(region, accessKeyId, secret));
  }

  static IAcsClient stsClient(String accessKeyId, String secret, String token) {
    return new DefaultAcsClient(
        DefaultProfile.getProfile(REGION), new BasicSessionCredentials(accessKeyId, secret, token));
  }

  /** {@code params} alternate names and values: {@code "MaxResults", "5", ...}. */
  static CommonRequest request(AlbSimulator sim, String... params) {
    CommonRequest request = new CommonRequest();
    request.setSysMethod(MethodType.POST);
    request.setSysDomain(sim.hostAndPort());
    request.setSysProtocol(ProtocolType.HTTP);
    request.setSysVersion("2020-06-16");
    request.setSysAction("ListAsynJobs");
    toMap(params).forEach(request::putQueryParameter);
    return request;
  }

  static JsonNode list(IAcsClient client, AlbSimulator sim, String... params)
      throws ClientException {
    return parse(client.getCommonResponse(request(sim, params)));
  }

  /** The ClientException (or its subclass ServerException) a call must fail with. */
  static ClientException failure(IAcsClient client, AlbSimulator sim, String... params) {
    return assertThrows(
        ClientException.class, () -> client.getCommonResponse(request(sim, params)));
  }

  static JsonNode parse(CommonResponse response) {
    try {
      return JSON.readTree(response.getData());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.getData(), e);
    }
  }

  static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("Jobs").forEach(job -> ids.add(job.path("Id").asText()));
    return ids;
  }

  static Map<String, String> toMap(String... params) {
    if (params.length % 2 != 0) {
      throw new IllegalArgumentException("params must be name/value pairs");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < params.length; i += 2) {
      map.put(params[i], params[i + 1]);
    }
    return map;
  }
}
