package io.kvstore;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The cluster configuration this node has installed: who holds data, how many replicas each
 * partition has, and how the partitions are spread. Membership ({@link KvStore#members()}) says
 * who is alive; this says who votes.
 *
 * @param epoch the configuration epoch (increases with every change)
 * @param members the voting members
 * @param replicationFactor replicas per partition (capped at the member count)
 * @param partitions the partition count
 * @param replicasPerMember how many partitions each member holds a replica of
 * @param primariesPerMember how many partitions each member is the first replica (coordinator) of
 * @param voter whether this node is one of the voting members (a restarted process is not)
 */
public record ClusterView(
    long epoch,
    List<NodeId> members,
    int replicationFactor,
    int partitions,
    Map<NodeId, Integer> replicasPerMember,
    Map<NodeId, Integer> primariesPerMember,
    boolean voter) {
  /** Copies the collections. */
  public ClusterView {
    members = List.copyOf(Objects.requireNonNull(members, "members"));
    replicasPerMember = Map.copyOf(replicasPerMember);
    primariesPerMember = Map.copyOf(primariesPerMember);
  }
}
