package io.albjobs.operator.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.alb.SdkAlbJobClient;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.albjobs.operator.scope.AccountScope;
import io.albjobs.operator.scope.ScopedClients;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An AccessKeyId is not a secret: a Secret holding a known AccessKeyId with a wrong secret must
 * never read jobs from a listing made with the right one. Real SDK client, simulator verifying
 * every signature, the operator's scopes and shared listings.
 */
class WrongSecretSharingTest {
  @Test
  @Timeout(60)
  void aKnownKeyIdWithAWrongSecretNeverReadsTheSharedListing() throws Exception {
    try (AlbSimulator sim = AlbSimulator.start()) {
      sim.addAccount("acct", "LTAIshared", "right-secret");
      Instant now = Instant.now();
      for (int i = 0; i < 5; i++) {
        sim.addJob(
            SimJob.builder("J" + i, "acct")
                .region("cn-hangzhou")
                .api("CreateRule", "Create")
                .resource("loadbalancer", "alb-1")
                .createdAt(now.minusSeconds(30 + i))
                .build());
      }
      ScopedClients clients =
          new ScopedClients(
              scope ->
                  new SdkAlbJobClient(
                      scope.endpoint(),
                      scope.regionId(),
                      scope.credentials(),
                      Duration.ofSeconds(5),
                      Duration.ofSeconds(10)),
              50,
              50,
              Duration.ofSeconds(5),
              Duration.ofSeconds(30),
              new OperatorMetrics(new SimpleMeterRegistry()));
      SharedListings listings =
          new SharedListings(
              true,
              new JobLister(50),
              Duration.ofMinutes(5),
              Duration.ofSeconds(30),
              Duration.ofSeconds(5),
              50);
      AlbEndpoint endpoint = AlbEndpoint.parse(sim.endpoint());
      AccountScope right =
          new AccountScope(
              "cn-hangzhou",
              endpoint,
              new AlbCredentials.StaticKeys(
                  "secret team-a/alb-creds", "LTAIshared", "right-secret", null));
      AccountScope wrong =
          new AccountScope(
              "cn-hangzhou",
              endpoint,
              new AlbCredentials.StaticKeys(
                  "secret team-b/alb-creds", "LTAIshared", "not-the-secret", null));
      Instant begin = now.minus(Duration.ofMinutes(5));

      // Two watches of the right Secret share one listing of the account's jobs.
      listings.listing(
          right, clients.forScope(right), "loadbalancer", "team-a/w1", 1, begin, now, now);
      SharedListings.Listing listed =
          listings.listing(
              right, clients.forScope(right), "loadbalancer", "team-a/w2", 1, begin, now, now);
      assertNotNull(listed, "the right Secret's watches share a listing");
      assertEquals(5, listed.jobsOf(List.of("alb-1")).size());

      // Two watches of the wrong Secret, same key ID, same endpoint, same tick: neither gets the
      // listing made with the right secret. The first alone polls on its own (null) and is refused;
      // the second makes the wrong scope's own listing, which ALB refuses.
      JobLister lister = new JobLister(50);
      int refusedCalls = 0;
      for (String member : List.of("team-b/w1", "team-b/w2", "team-b/w1")) {
        AlbException refused;
        try {
          SharedListings.Listing got =
              listings.listing(
                  wrong, clients.forScope(wrong), "loadbalancer", member, 1, begin, now, now);
          assertEquals(null, got, member + " must not read the right Secret's listing");
          refused =
              assertThrows(
                  AlbException.class,
                  () ->
                      lister.byResources(
                          clients.forScope(wrong),
                          "loadbalancer",
                          List.of("alb-1"),
                          List.of(),
                          begin.toEpochMilli()));
        } catch (AlbException e) {
          refused = e;
        }
        refusedCalls++;
        assertEquals(ErrorKind.TERMINAL, refused.kind(), refused.getMessage());
        assertTrue(
            refused.code().contains("InvalidAccessKeySecret")
                || refused.code().contains("Signature"),
            refused.code());
      }
      assertEquals(3, refusedCalls);
      assertTrue(
          sim.calls().stream().anyMatch(c -> c.httpStatus() != 200),
          "the wrong secret's calls reached ALB and were refused");
      clients.close();
    }
  }
}
