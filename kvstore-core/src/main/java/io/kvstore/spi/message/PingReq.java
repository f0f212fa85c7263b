package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;
import io.kvstore.spi.Endpoint;
import java.util.List;

/**
 * SWIM indirect probe: "please probe {@code target} at {@code targetAddress} for me". The helper
 * relays the target's ack to the requester as an {@link Ack} with {@code seq}, and (Lifeguard) sends
 * a {@link Nack} if the target does not answer in time.
 *
 * @param seq the requester's sequence number
 * @param source the requester
 * @param target the member to probe
 * @param targetAddress where the target is
 * @param gossip piggybacked membership updates
 */
public record PingReq(
    long seq, NodeId source, NodeId target, Endpoint targetAddress, List<MemberUpdate> gossip)
    implements Message {
  /** Copies the gossip list. */
  public PingReq {
    gossip = List.copyOf(gossip);
  }
}
