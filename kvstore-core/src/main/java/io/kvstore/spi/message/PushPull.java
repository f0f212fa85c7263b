package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;
import java.util.List;

/**
 * Full membership state exchange over a stream: the anti-entropy that heals whatever gossip
 * missed, and how a joining node learns the whole member list at once.
 *
 * @param source the sender
 * @param join whether the sender is joining (seeds answer joins at once)
 * @param reply whether this answers another push-pull (a reply is not answered again)
 * @param members the sender's whole member table
 */
public record PushPull(NodeId source, boolean join, boolean reply, List<MemberUpdate> members)
    implements Message {
  /** Copies the member list. */
  public PushPull {
    members = List.copyOf(members);
  }
}
