package io.kvstore.internal.partition;

import io.kvstore.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The cluster configuration: who votes for data. Replica sets come only from here, never from a
 * node's gossip view, so that two nodes can never use quorums that do not intersect.
 *
 * @param epoch increases with every change; 0 means "not formed yet"
 * @param members the voting members, sorted
 * @param replicationFactor replicas per partition (capped at the member count)
 * @param partitions the partition count, fixed for the life of the cluster
 */
public record ClusterConfig(long epoch, List<NodeId> members, int replicationFactor, int partitions) {
  /** Validates and sorts. */
  public ClusterConfig {
    Objects.requireNonNull(members, "members");
    List<NodeId> sorted = new ArrayList<>(members);
    sorted.sort(null);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
        throw new IllegalArgumentException("two members named " + sorted.get(i).name());
      }
    }
    members = List.copyOf(sorted);
    if (epoch < 0 || replicationFactor < 1 || partitions < 1) {
      throw new IllegalArgumentException("bad configuration");
    }
  }

  /** The number of replicas each partition has: RF capped at the member count. */
  public int effectiveReplicas() {
    return Math.min(replicationFactor, members.size());
  }
}
