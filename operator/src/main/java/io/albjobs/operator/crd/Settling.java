package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What a settling watch waits for: the changes since it left Ready and their fences. */
@JsonClassDescription(
    "Present while the watch waits for changes it stands for (its spec, albjobs.io/poll-now, the Ingresses and AlbConfigs of its load balancers) to show their ALB jobs.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Settling {
  @JsonPropertyDescription("When the first change of this wait was seen, RFC 3339 in UTC.")
  private String since;

  @JsonPropertyDescription(
      "When the wait gives up on a change without a fence (the latest change plus spec.settleTimeout): the watch is then Stalled with reason SettleTimeout. RFC 3339 in UTC.")
  private String deadline;

  @JsonPropertyDescription(
      "The changes waited for, one per object (a newer change of the same object replaces the older one); at most 1000 (changes already fenced go first).")
  @io.fabric8.generator.annotation.Size(max = 1000)
  private List<SettleChange> changes = new ArrayList<>();

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public String getDeadline() {
    return deadline;
  }

  public void setDeadline(String deadline) {
    this.deadline = deadline;
  }

  public List<SettleChange> getChanges() {
    return changes;
  }

  public void setChanges(List<SettleChange> changes) {
    this.changes = changes == null ? new ArrayList<>() : changes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Settling x
        && Objects.equals(since, x.since)
        && Objects.equals(deadline, x.deadline)
        && Objects.equals(changes, x.changes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(since, deadline, changes);
  }
}
