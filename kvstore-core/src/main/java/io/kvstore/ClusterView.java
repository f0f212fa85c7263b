package io.kvstore;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The cluster configuration this node has installed: who holds data, how many replicas each
 * partition has, how the partitions are spread, and any change in progress. Membership ({@link
 * KvStore#members()}) says who is alive; this says who votes.
 *
 * @param epoch the configuration epoch (increases with every change)
 * @param members the voting members (while a change is in progress: the members after it)
 * @param previousMembers while a change is in progress, the members before it; empty otherwise
 * @param replicationFactor replicas per partition (capped at the member count)
 * @param partitions the partition count
 * @param replicasPerMember how many partitions each member holds a replica of
 * @param primariesPerMember how many partitions each member is the first replica (coordinator) of
 * @param voter whether this node is one of the voting members (a restarted process is not until
 *     it has been added back)
 * @param ready whether this node is a member and holds every partition it is a replica of
 * @param safeToStop whether stopping this node now would leave every partition with a live,
 *     caught-up majority of its replicas (what a rolling restart waits for)
 * @param migrations the change in progress as seen by this node (empty or one element)
 */
public record ClusterView(
    long epoch,
    List<NodeId> members,
    List<NodeId> previousMembers,
    int replicationFactor,
    int partitions,
    Map<NodeId, Integer> replicasPerMember,
    Map<NodeId, Integer> primariesPerMember,
    boolean voter,
    boolean ready,
    boolean safeToStop,
    List<Migration> migrations) {
  /** Copies the collections. */
  public ClusterView {
    members = List.copyOf(Objects.requireNonNull(members, "members"));
    previousMembers = List.copyOf(previousMembers);
    replicasPerMember = Map.copyOf(replicasPerMember);
    primariesPerMember = Map.copyOf(primariesPerMember);
    migrations = List.copyOf(migrations);
  }

  /** The largest number of partitions any member holds a replica of. */
  public int maxReplicasPerMember() {
    return replicasPerMember.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** The smallest number of partitions any member holds a replica of. */
  public int minReplicasPerMember() {
    return replicasPerMember.values().stream().mapToInt(Integer::intValue).min().orElse(0);
  }

  /**
   * A configuration change in progress: partitions whose replica set changes are caught up on their
   * new replicas before the change completes.
   *
   * @param epoch the epoch of the joint configuration
   * @param partitionsMoving partitions whose replica set changes
   * @param partitionsCaughtUp of those, how many every new replica reported caught up
   * @param keysReceived keys this node has received by catch-up under this change
   * @param bytesReceived bytes of values this node has received by catch-up under this change
   */
  public record Migration(
      long epoch,
      int partitionsMoving,
      int partitionsCaughtUp,
      long keysReceived,
      long bytesReceived) {}
}
