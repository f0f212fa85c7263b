package io.kvstore.net.codec;

import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.MemberUpdate;
import io.kvstore.spi.message.Nack;
import io.kvstore.spi.message.Ping;
import io.kvstore.spi.message.PingReq;
import io.kvstore.spi.message.PushPull;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure functions between the core's message records and their protobuf form. This is the edge: no
 * protobuf type goes further in, no record comes out invalid.
 *
 * <p>Adding a message type is local: a body case in {@code messages.proto}, one branch in {@link
 * #setBody} and one case in {@link #fromEnvelope}, and a generator in the round-trip test.
 *
 * <p>Thread-safe (stateless).
 */
public final class ProtoMapper {
  private ProtoMapper() {}

  /**
   * Sets the body of {@code envelope} to the protobuf form of {@code message}.
   *
   * @throws IllegalArgumentException if the message type has no wire form (a programming error)
   */
  public static Envelope.Builder setBody(Envelope.Builder envelope, Message message) {
    if (message instanceof Ping p) {
      envelope.setPing(toProto(p));
    } else if (message instanceof Ack a) {
      envelope.setAck(toProto(a));
    } else if (message instanceof PingReq r) {
      envelope.setPingReq(toProto(r));
    } else if (message instanceof Nack n) {
      envelope.setNack(toProto(n));
    } else if (message instanceof PushPull pp) {
      envelope.setPushPull(toProto(pp));
    } else {
      throw new IllegalArgumentException(
          "no wire form for message type " + message.getClass().getName());
    }
    return envelope;
  }

  /**
   * The message in {@code envelope}'s body.
   *
   * @throws ProtoDecodeException if the body is empty, unknown to this release, a transport-level
   *     message (handshake), or holds an invalid value
   */
  public static Message fromEnvelope(Envelope envelope) throws ProtoDecodeException {
    try {
      switch (envelope.getBodyCase()) {
        case PING:
          return fromProto(envelope.getPing());
        case ACK:
          return fromProto(envelope.getAck());
        case PING_REQ:
          return fromProto(envelope.getPingReq());
        case NACK:
          return fromProto(envelope.getNack());
        case PUSH_PULL:
          return fromProto(envelope.getPushPull());
        case HELLO:
        case HELLO_REPLY:
          throw new ProtoDecodeException("handshake message outside the handshake");
        case BODY_NOT_SET:
        default:
          // An unknown oneof field (a newer sender's message) also reads as BODY_NOT_SET.
          throw new ProtoDecodeException("empty or unknown envelope body");
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ProtoDecodeException("invalid field: " + e.getMessage(), e);
    }
  }

  // ---- membership messages ----

  static io.kvstore.net.proto.Ping toProto(Ping p) {
    return io.kvstore.net.proto.Ping.newBuilder()
        .setSeq(p.seq())
        .setSource(toProto(p.source()))
        .setTarget(toProto(p.target()))
        .addAllGossip(toProto(p.gossip()))
        .build();
  }

  static Ping fromProto(io.kvstore.net.proto.Ping p) throws ProtoDecodeException {
    require(p.hasSource(), "ping.source");
    require(p.hasTarget(), "ping.target");
    return new Ping(
        p.getSeq(),
        fromProto(p.getSource()),
        fromProto(p.getTarget()),
        fromProto(p.getGossipList()));
  }

  static io.kvstore.net.proto.Ack toProto(Ack a) {
    return io.kvstore.net.proto.Ack.newBuilder()
        .setSeq(a.seq())
        .setSource(toProto(a.source()))
        .addAllGossip(toProto(a.gossip()))
        .build();
  }

  static Ack fromProto(io.kvstore.net.proto.Ack a) throws ProtoDecodeException {
    require(a.hasSource(), "ack.source");
    return new Ack(a.getSeq(), fromProto(a.getSource()), fromProto(a.getGossipList()));
  }

  static io.kvstore.net.proto.PingReq toProto(PingReq r) {
    return io.kvstore.net.proto.PingReq.newBuilder()
        .setSeq(r.seq())
        .setSource(toProto(r.source()))
        .setTarget(toProto(r.target()))
        .setTargetAddress(toProto(r.targetAddress()))
        .addAllGossip(toProto(r.gossip()))
        .build();
  }

  static PingReq fromProto(io.kvstore.net.proto.PingReq r) throws ProtoDecodeException {
    require(r.hasSource(), "ping_req.source");
    require(r.hasTarget(), "ping_req.target");
    require(r.hasTargetAddress(), "ping_req.target_address");
    return new PingReq(
        r.getSeq(),
        fromProto(r.getSource()),
        fromProto(r.getTarget()),
        fromProto(r.getTargetAddress()),
        fromProto(r.getGossipList()));
  }

  static io.kvstore.net.proto.Nack toProto(Nack n) {
    return io.kvstore.net.proto.Nack.newBuilder()
        .setSeq(n.seq())
        .setSource(toProto(n.source()))
        .build();
  }

  static Nack fromProto(io.kvstore.net.proto.Nack n) throws ProtoDecodeException {
    require(n.hasSource(), "nack.source");
    return new Nack(n.getSeq(), fromProto(n.getSource()));
  }

  static io.kvstore.net.proto.PushPull toProto(PushPull pp) {
    return io.kvstore.net.proto.PushPull.newBuilder()
        .setSource(toProto(pp.source()))
        .setJoin(pp.join())
        .setReply(pp.reply())
        .addAllMembers(toProto(pp.members()))
        .build();
  }

  static PushPull fromProto(io.kvstore.net.proto.PushPull pp) throws ProtoDecodeException {
    require(pp.hasSource(), "push_pull.source");
    return new PushPull(
        fromProto(pp.getSource()), pp.getJoin(), pp.getReply(), fromProto(pp.getMembersList()));
  }

  // ---- shared values ----

  static List<io.kvstore.net.proto.MemberUpdate> toProto(List<MemberUpdate> updates) {
    List<io.kvstore.net.proto.MemberUpdate> out = new ArrayList<>(updates.size());
    for (MemberUpdate u : updates) {
      out.add(toProto(u));
    }
    return out;
  }

  static List<MemberUpdate> fromProto(List<io.kvstore.net.proto.MemberUpdate> updates)
      throws ProtoDecodeException {
    List<MemberUpdate> out = new ArrayList<>(updates.size());
    for (io.kvstore.net.proto.MemberUpdate u : updates) {
      out.add(fromProto(u));
    }
    return out;
  }

  static io.kvstore.net.proto.MemberUpdate toProto(MemberUpdate u) {
    return io.kvstore.net.proto.MemberUpdate.newBuilder()
        .setId(toProto(u.id()))
        .setAddress(toProto(u.address()))
        .setStatus(toProto(u.status()))
        .setIncarnation(u.incarnation())
        .putAllMetadata(u.metadata())
        .build();
  }

  static MemberUpdate fromProto(io.kvstore.net.proto.MemberUpdate u) throws ProtoDecodeException {
    require(u.hasId(), "member_update.id");
    require(u.hasAddress(), "member_update.address");
    return new MemberUpdate(
        fromProto(u.getId()),
        fromProto(u.getAddress()),
        fromProto(u.getStatus()),
        u.getIncarnation(),
        u.getMetadataMap());
  }

  static io.kvstore.net.proto.MemberStatus toProto(MemberStatus s) {
    switch (s) {
      case ALIVE:
        return io.kvstore.net.proto.MemberStatus.MEMBER_STATUS_ALIVE;
      case SUSPECT:
        return io.kvstore.net.proto.MemberStatus.MEMBER_STATUS_SUSPECT;
      case DEAD:
        return io.kvstore.net.proto.MemberStatus.MEMBER_STATUS_DEAD;
      case LEFT:
        return io.kvstore.net.proto.MemberStatus.MEMBER_STATUS_LEFT;
      default:
        throw new IllegalArgumentException("unknown member status " + s);
    }
  }

  static MemberStatus fromProto(io.kvstore.net.proto.MemberStatus s) throws ProtoDecodeException {
    switch (s) {
      case MEMBER_STATUS_ALIVE:
        return MemberStatus.ALIVE;
      case MEMBER_STATUS_SUSPECT:
        return MemberStatus.SUSPECT;
      case MEMBER_STATUS_DEAD:
        return MemberStatus.DEAD;
      case MEMBER_STATUS_LEFT:
        return MemberStatus.LEFT;
      default:
        throw new ProtoDecodeException("unknown member status " + s);
    }
  }

  /** The protobuf form of a node identity. */
  public static io.kvstore.net.proto.NodeId toProto(NodeId id) {
    return io.kvstore.net.proto.NodeId.newBuilder().setName(id.name()).setBoot(id.boot()).build();
  }

  /** The node identity in {@code id}; a blank name is a decode error. */
  public static NodeId fromProto(io.kvstore.net.proto.NodeId id) throws ProtoDecodeException {
    try {
      return new NodeId(id.getName(), id.getBoot());
    } catch (IllegalArgumentException e) {
      throw new ProtoDecodeException("invalid node id: " + e.getMessage(), e);
    }
  }

  /** The protobuf form of an endpoint. */
  public static io.kvstore.net.proto.Endpoint toProto(Endpoint e) {
    return io.kvstore.net.proto.Endpoint.newBuilder().setHost(e.host()).setPort(e.port()).build();
  }

  /** The endpoint in {@code e}; a blank host or a port out of range is a decode error. */
  public static Endpoint fromProto(io.kvstore.net.proto.Endpoint e) throws ProtoDecodeException {
    // uint32 arrives as a signed int: values above 2^31 are negative and rejected below too.
    try {
      return new Endpoint(e.getHost(), e.getPort());
    } catch (IllegalArgumentException ex) {
      throw new ProtoDecodeException("invalid endpoint: " + ex.getMessage(), ex);
    }
  }

  private static void require(boolean present, String field) throws ProtoDecodeException {
    if (!present) {
      throw new ProtoDecodeException("missing " + field);
    }
  }
}
