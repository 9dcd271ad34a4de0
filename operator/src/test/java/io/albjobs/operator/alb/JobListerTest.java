package io.albjobs.operator.alb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.testing.FakeAlb;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class JobListerTest {
  private final JobLister lister = new JobLister(50);

  @Test
  void resourcesAreChunkedByTenAndPagesFollowed() throws AlbException {
    FakeAlb alb = new FakeAlb();
    List<String> lbs = IntStream.range(0, 25).mapToObj(i -> "alb-" + i).toList();
    for (int i = 0; i < 25; i++) {
      for (int j = 0; j < 12; j++) {
        alb.put(
            FakeAlb.job(
                "J-" + i + "-" + j,
                "CreateRule",
                "alb-" + i,
                AlbJob.SUCCEEDED,
                1000L * (i * 12 + j),
                1));
      }
    }
    List<AlbJob> jobs = lister.byResources(alb, "loadbalancer", lbs, List.of(), null);
    assertEquals(300, jobs.size());
    // ceil(25/10) = 3 chunks holding 120, 120 and 60 jobs: 2 + 2 + 1 pages of at most 100.
    assertEquals(3, alb.queries().stream().map(JobQuery::resourceIds).distinct().count());
    assertTrue(alb.queries().stream().allMatch(q -> q.resourceIds().size() <= 10));
    assertEquals(5, alb.calls());
  }

  @Test
  void jobIdsAreChunkedByTen() throws AlbException {
    FakeAlb alb = new FakeAlb();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      alb.put(FakeAlb.job("ID-" + i, "CreateRule", "alb-1", AlbJob.PROCESSING, i, i));
      ids.add("ID-" + i);
    }
    ids.add("UNKNOWN");
    assertEquals(23, lister.byJobIds(alb, ids).size());
    assertEquals(3, alb.calls());
  }

  @Test
  void oneApiNameIsFilteredByAlbSeveralLocally() throws AlbException {
    FakeAlb alb = new FakeAlb();
    alb.put(FakeAlb.job("A", "CreateRule", "alb-1", AlbJob.SUCCEEDED, 3, 3));
    alb.put(FakeAlb.job("B", "CreateListener", "alb-1", AlbJob.SUCCEEDED, 2, 2));
    alb.put(FakeAlb.job("C", "DeleteRule", "alb-1", AlbJob.SUCCEEDED, 1, 1));
    assertEquals(
        1,
        lister
            .byResources(alb, "loadbalancer", List.of("alb-1"), List.of("CreateRule"), null)
            .size());
    assertEquals("CreateRule", alb.queries().get(0).apiName());
    List<AlbJob> two =
        lister.byResources(
            alb, "loadbalancer", List.of("alb-1"), List.of("CreateRule", "DeleteRule"), null);
    assertEquals(List.of("A", "C"), two.stream().map(AlbJob::id).toList());
    assertEquals(2, alb.calls(), "one call for two API names, not two");
  }

  @Test
  void aRepeatingNextTokenIsAnErrorNotALoop() {
    AlbJobClient looping = (q, token, max) -> new JobPage(List.of(), "SAME", 0, "r");
    AlbException e = assertThrows(AlbException.class, () -> lister.byJobIds(looping, List.of("X")));
    assertEquals("RepeatedNextToken", e.code());
    assertEquals(ErrorKind.RETRYABLE, e.kind());
  }

  @Test
  void endlessDistinctTokensStopAtThePageLimit() {
    int[] n = {0};
    AlbJobClient endless = (q, token, max) -> new JobPage(List.of(), "T" + n[0]++, 0, "r");
    AlbException e =
        assertThrows(AlbException.class, () -> new JobLister(5).byJobIds(endless, List.of("X")));
    assertEquals("TooManyPages", e.code());
    assertEquals(5, n[0]);
  }
}
