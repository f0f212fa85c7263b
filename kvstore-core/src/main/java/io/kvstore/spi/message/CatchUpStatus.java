package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;
import java.util.List;

/**
 * A node's catch-up progress under a joint configuration, sent to the configuration's members so
 * that whichever of them completes the change knows when every new replica holds its partitions.
 *
 * @param source the reporting node
 * @param epoch the joint configuration epoch
 * @param done the partitions this node has fully caught up for that epoch, ascending
 * @param pending how many partitions this node still has to catch up
 */
public record CatchUpStatus(NodeId source, long epoch, List<Integer> done, int pending)
    implements Message {
  /** Copies the list. */
  public CatchUpStatus {
    done = List.copyOf(done);
  }
}
