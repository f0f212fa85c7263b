package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;
import java.util.List;

/**
 * Answer to a {@link Ping} (or, relayed by a helper, to a {@link PingReq}).
 *
 * @param seq the sequence number of the probe answered
 * @param source the member that was probed
 * @param gossip piggybacked membership updates
 */
public record Ack(long seq, NodeId source, List<MemberUpdate> gossip) implements Message {
  /** Copies the gossip list. */
  public Ack {
    gossip = List.copyOf(gossip);
  }
}
