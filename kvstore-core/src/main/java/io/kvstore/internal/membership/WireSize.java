package io.kvstore.internal.membership;

import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.MemberUpdate;
import io.kvstore.spi.message.Nack;
import io.kvstore.spi.message.Ping;
import io.kvstore.spi.message.PingReq;
import io.kvstore.spi.message.PushPull;
import java.util.List;
import java.util.Map;

/**
 * Conservative estimates of encoded message sizes, so the core can fill a datagram without knowing
 * the codec. Every estimate is an upper bound for a protobuf-like encoding: a fixed overhead per
 * field (tag + length + varint up to 10 bytes) plus the UTF-8 length of strings (at most 3 bytes
 * per UTF-16 char: 3 for the BMP, 4 per surrogate pair of two chars).
 */
final class WireSize {
  /** Envelope: protocol version, cluster name, type tag, framing. */
  static final int ENVELOPE_BYTES = 96;
  private static final int FIELD_BYTES = 12;

  private WireSize() {}

  static int string(String s) {
    return FIELD_BYTES + 3 * s.length();
  }

  static int nodeId(NodeId id) {
    return FIELD_BYTES + string(id.name()) + FIELD_BYTES;
  }

  static int endpoint(Endpoint e) {
    return FIELD_BYTES + string(e.host()) + FIELD_BYTES;
  }

  static int update(MemberUpdate u) {
    int size = FIELD_BYTES + nodeId(u.id()) + endpoint(u.address()) + 2 * FIELD_BYTES;
    for (Map.Entry<String, String> e : u.metadata().entrySet()) {
      size += FIELD_BYTES + string(e.getKey()) + string(e.getValue());
    }
    return size;
  }

  static int updates(List<MemberUpdate> us) {
    int size = 0;
    for (MemberUpdate u : us) {
      size += update(u);
    }
    return size;
  }

  /** Estimated encoded size of any membership message. */
  static int of(Message m) {
    if (m instanceof Ping p) {
      return ENVELOPE_BYTES + FIELD_BYTES + nodeId(p.source()) + nodeId(p.target())
          + updates(p.gossip());
    }
    if (m instanceof Ack a) {
      return ENVELOPE_BYTES + FIELD_BYTES + nodeId(a.source()) + updates(a.gossip());
    }
    if (m instanceof PingReq r) {
      return ENVELOPE_BYTES + FIELD_BYTES + nodeId(r.source()) + nodeId(r.target())
          + endpoint(r.targetAddress()) + updates(r.gossip());
    }
    if (m instanceof Nack n) {
      return ENVELOPE_BYTES + FIELD_BYTES + nodeId(n.source());
    }
    if (m instanceof PushPull pp) {
      return ENVELOPE_BYTES + 2 * FIELD_BYTES + nodeId(pp.source()) + updates(pp.members());
    }
    return ENVELOPE_BYTES;
  }
}
