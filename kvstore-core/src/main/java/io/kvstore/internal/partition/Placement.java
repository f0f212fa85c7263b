package io.kvstore.internal.partition;

import io.kvstore.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Replica placement by rendezvous (highest-random-weight) hashing: partition p's replicas are the
 * members with the highest {@code hash(p, member name)}. Adding or removing one member moves about
 * 1/n of the partitions, and every node computes the same sets from the same configuration.
 * Immutable and thread-safe; replica lists are computed once per configuration.
 */
public final class Placement {
  private final ClusterConfig config;
  private final List<NodeId>[] replicas;

  /** Computes the placement of every partition for {@code config}. */
  @SuppressWarnings("unchecked")
  public Placement(ClusterConfig config) {
    this.config = config;
    this.replicas = new List[config.partitions()];
    int rf = config.effectiveReplicas();
    List<NodeId> members = config.members();
    long[] nameHashes = new long[members.size()];
    for (int i = 0; i < nameHashes.length; i++) {
      nameHashes[i] = KeyHash.hash64(members.get(i).name());
    }
    for (int p = 0; p < replicas.length; p++) {
      Integer[] order = new Integer[members.size()];
      long[] weights = new long[members.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
        weights[i] = KeyHash.fmix64(nameHashes[i] ^ KeyHash.fmix64(p + 0x9E3779B97F4A7C15L));
      }
      // Highest weight first; ties (practically impossible) broken by member order.
      Arrays.sort(order, (a, b) -> {
        int c = Long.compareUnsigned(weights[b], weights[a]);
        return c != 0 ? c : Integer.compare(a, b);
      });
      List<NodeId> set = new ArrayList<>(rf);
      for (int i = 0; i < rf; i++) {
        set.add(members.get(order[i]));
      }
      replicas[p] = List.copyOf(set);
    }
  }

  /** The configuration this placement was computed from. */
  public ClusterConfig config() {
    return config;
  }

  /** The replicas of partition {@code p}, in preference order (the first is the coordinator). */
  public List<NodeId> replicas(int p) {
    return replicas[p];
  }
}
