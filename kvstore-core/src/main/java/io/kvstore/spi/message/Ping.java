package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;
import java.util.List;

/**
 * SWIM probe. The receiver answers with an {@link Ack} carrying the same {@code seq} if it is {@code
 * target} (a new process at the same address under another boot id must not answer for the old
 * one).
 *
 * @param seq the prober's sequence number
 * @param source the prober
 * @param target the member probed
 * @param gossip piggybacked membership updates
 */
public record Ping(long seq, NodeId source, NodeId target, List<MemberUpdate> gossip)
    implements Message {
  /** Copies the gossip list. */
  public Ping {
    gossip = List.copyOf(gossip);
  }
}
