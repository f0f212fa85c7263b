package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;
import java.util.List;

/**
 * The cluster configuration a node has installed, sent to members that may not know it yet. A
 * receiver installs it if its epoch is higher than the one it holds.
 *
 * @param source the sender
 * @param epoch the configuration epoch (1 for the configuration formed at bootstrap)
 * @param members the voting members
 * @param replicationFactor replicas per partition
 * @param partitions the partition count
 */
public record ConfigAnnounce(
    NodeId source, long epoch, List<NodeId> members, int replicationFactor, int partitions)
    implements Message {
  /** Copies the member list. */
  public ConfigAnnounce {
    members = List.copyOf(members);
  }
}
