package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;
import java.util.List;

/**
 * A cluster configuration that was chosen in the configuration register, sent to nodes that may
 * not know it yet. A receiver installs it if it belongs to the same lineage and its epoch is higher
 * than the one it holds.
 *
 * <p>One form carries no configuration ({@link #waiting}): epoch 0, no members, replication factor
 * and partition count 0. A node started to join a cluster (not to found one) sends it while it
 * waits to be added, so that nodes forming a new cluster leave it out of the founding members.
 *
 * @param source the sender
 * @param lineage the random id drawn when the cluster was formed: configurations of another lineage
 *     (another cluster sharing seeds) are refused
 * @param epoch the configuration epoch (1 for the configuration formed at bootstrap)
 * @param members the voting members
 * @param previous while a change is in progress (joint configuration), the members before it;
 *     empty otherwise
 * @param replicationFactor replicas per partition
 * @param partitions the partition count
 * @param forced whether the configuration was forced by an operator's recovery (its old replica
 *     sets count only surviving members)
 */
public record ConfigAnnounce(
    NodeId source,
    long lineage,
    long epoch,
    List<NodeId> members,
    List<NodeId> previous,
    int replicationFactor,
    int partitions,
    boolean forced)
    implements Message {
  /** Copies the member lists. */
  public ConfigAnnounce {
    members = List.copyOf(members);
    previous = List.copyOf(previous);
  }

  /** The announcement of a node that holds no configuration and will not found a cluster. */
  public static ConfigAnnounce waiting(NodeId source) {
    return new ConfigAnnounce(source, 0, 0, List.of(), List.of(), 0, 0, false);
  }

  /** Whether this is the announcement of a node waiting to be added ({@link #waiting}). */
  public boolean isWaiting() {
    return epoch == 0 && members.isEmpty() && previous.isEmpty() && replicationFactor == 0 && partitions == 0;
  }

  /** The announcement of a configuration that was not forced. */
  public ConfigAnnounce(
      NodeId source,
      long lineage,
      long epoch,
      List<NodeId> members,
      List<NodeId> previous,
      int replicationFactor,
      int partitions) {
    this(source, lineage, epoch, members, previous, replicationFactor, partitions, false);
  }
}
