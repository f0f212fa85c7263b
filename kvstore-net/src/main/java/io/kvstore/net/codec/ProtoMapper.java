package io.kvstore.net.codec;

import com.google.protobuf.ByteString;
import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.Accepted;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.Ballot;
import io.kvstore.spi.message.Cell;
import io.kvstore.spi.message.ClientReply;
import io.kvstore.spi.message.ClientRequest;
import io.kvstore.spi.message.ConfigAnnounce;
import io.kvstore.spi.message.MemberUpdate;
import io.kvstore.spi.message.Nack;
import io.kvstore.spi.message.Ping;
import io.kvstore.spi.message.PingReq;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Promise;
import io.kvstore.spi.message.Purge;
import io.kvstore.spi.message.PushPull;
import io.kvstore.spi.message.Read;
import io.kvstore.spi.message.ReadReply;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure functions between the core's message records and their protobuf form. This is the edge: no
 * protobuf type goes further in, no record comes out invalid.
 *
 * <p>Adding a message type is local: a body case in {@code messages.proto}, one branch in {@link
 * #setBody} and one case in {@link #fromEnvelope}, and a generator in the round-trip test.
 *
 * <p>Nullable record components map to absent fields: a nullable message (a {@link Cell}, the
 * {@code nextPromise} {@link Ballot}) to an absent message field, a nullable byte array to an
 * absent {@code optional bytes}; an empty array stays a present, empty field. Byte arrays are
 * copied both ways, so a record never shares a buffer with a protobuf object.
 *
 * <p>Thread-safe (stateless).
 */
public final class ProtoMapper {
  private ProtoMapper() {}

  /**
   * Sets the body of {@code envelope} to the protobuf form of {@code message}.
   *
   * @throws IllegalArgumentException if the message type has no wire form, or the message is one
   *     no receiver would accept (a {@link ConfigAnnounce} without members, for example): a
   *     programming error
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
    } else if (message instanceof Prepare p) {
      envelope.setPrepare(toProto(p));
    } else if (message instanceof Promise p) {
      envelope.setPromise(toProto(p));
    } else if (message instanceof Accept a) {
      envelope.setAccept(toProto(a));
    } else if (message instanceof Accepted a) {
      envelope.setAccepted(toProto(a));
    } else if (message instanceof Read r) {
      envelope.setRead(toProto(r));
    } else if (message instanceof ReadReply r) {
      envelope.setReadReply(toProto(r));
    } else if (message instanceof ClientRequest r) {
      envelope.setClientRequest(toProto(r));
    } else if (message instanceof ClientReply r) {
      envelope.setClientReply(toProto(r));
    } else if (message instanceof ConfigAnnounce c) {
      envelope.setConfigAnnounce(toProto(c));
    } else if (message instanceof Purge p) {
      envelope.setPurge(toProto(p));
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
        case PREPARE:
          return fromProto(envelope.getPrepare());
        case PROMISE:
          return fromProto(envelope.getPromise());
        case ACCEPT:
          return fromProto(envelope.getAccept());
        case ACCEPTED:
          return fromProto(envelope.getAccepted());
        case READ:
          return fromProto(envelope.getRead());
        case READ_REPLY:
          return fromProto(envelope.getReadReply());
        case CLIENT_REQUEST:
          return fromProto(envelope.getClientRequest());
        case CLIENT_REPLY:
          return fromProto(envelope.getClientReply());
        case CONFIG_ANNOUNCE:
          return fromProto(envelope.getConfigAnnounce());
        case PURGE:
          return fromProto(envelope.getPurge());
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

  // ---- replication messages ----

  static io.kvstore.net.proto.Prepare toProto(Prepare p) {
    return io.kvstore.net.proto.Prepare.newBuilder()
        .setRoundId(p.roundId())
        .setSource(toProto(p.source()))
        .setTarget(toProto(p.target()))
        .setKey(p.key())
        .setBallot(toProto(p.ballot()))
        .build();
  }

  static Prepare fromProto(io.kvstore.net.proto.Prepare p) throws ProtoDecodeException {
    require(p.hasSource(), "prepare.source");
    require(p.hasTarget(), "prepare.target");
    require(p.hasBallot(), "prepare.ballot");
    return new Prepare(
        p.getRoundId(),
        fromProto(p.getSource()),
        fromProto(p.getTarget()),
        p.getKey(),
        fromProto(p.getBallot(), "prepare.ballot"));
  }

  static io.kvstore.net.proto.Promise toProto(Promise p) {
    io.kvstore.net.proto.Promise.Builder b =
        io.kvstore.net.proto.Promise.newBuilder()
            .setRoundId(p.roundId())
            .setSource(toProto(p.source()))
            .setKey(p.key())
            .setOk(p.ok())
            .setPromised(toProto(p.promised()))
            .setAccepted(toProto(p.accepted()))
            .setVersionFloor(p.versionFloor());
    if (p.cell() != null) {
      b.setCell(toProto(p.cell()));
    }
    return b.build();
  }

  static io.kvstore.net.proto.Purge toProto(Purge p) {
    return io.kvstore.net.proto.Purge.newBuilder()
        .setSource(toProto(p.source()))
        .setTarget(toProto(p.target()))
        .setKey(p.key())
        .setBallot(toProto(p.ballot()))
        .build();
  }

  static Purge fromProto(io.kvstore.net.proto.Purge p) throws ProtoDecodeException {
    require(p.hasSource(), "purge.source");
    require(p.hasTarget(), "purge.target");
    require(p.hasBallot(), "purge.ballot");
    return new Purge(
        fromProto(p.getSource()),
        fromProto(p.getTarget()),
        p.getKey(),
        fromProto(p.getBallot(), "purge.ballot"));
  }

  static Promise fromProto(io.kvstore.net.proto.Promise p) throws ProtoDecodeException {
    require(p.hasSource(), "promise.source");
    require(p.hasPromised(), "promise.promised");
    require(p.hasAccepted(), "promise.accepted");
    return new Promise(
        p.getRoundId(),
        fromProto(p.getSource()),
        p.getKey(),
        p.getOk(),
        fromProto(p.getPromised(), "promise.promised"),
        fromProto(p.getAccepted(), "promise.accepted"),
        p.hasCell() ? fromProto(p.getCell()) : null,
        nonNegative(p.getVersionFloor(), "promise.version_floor"));
  }

  static io.kvstore.net.proto.Accept toProto(Accept a) {
    io.kvstore.net.proto.Accept.Builder b =
        io.kvstore.net.proto.Accept.newBuilder()
            .setRoundId(a.roundId())
            .setSource(toProto(a.source()))
            .setTarget(toProto(a.target()))
            .setKey(a.key())
            .setBallot(toProto(a.ballot()))
            .setCell(toProto(a.cell()));
    if (a.nextPromise() != null) {
      b.setNextPromise(toProto(a.nextPromise()));
    }
    return b.build();
  }

  static Accept fromProto(io.kvstore.net.proto.Accept a) throws ProtoDecodeException {
    require(a.hasSource(), "accept.source");
    require(a.hasTarget(), "accept.target");
    require(a.hasBallot(), "accept.ballot");
    require(a.hasCell(), "accept.cell");
    return new Accept(
        a.getRoundId(),
        fromProto(a.getSource()),
        fromProto(a.getTarget()),
        a.getKey(),
        fromProto(a.getBallot(), "accept.ballot"),
        fromProto(a.getCell()),
        a.hasNextPromise() ? fromProto(a.getNextPromise(), "accept.next_promise") : null);
  }

  static io.kvstore.net.proto.Accepted toProto(Accepted a) {
    return io.kvstore.net.proto.Accepted.newBuilder()
        .setRoundId(a.roundId())
        .setSource(toProto(a.source()))
        .setKey(a.key())
        .setOk(a.ok())
        .setPromised(toProto(a.promised()))
        .build();
  }

  static Accepted fromProto(io.kvstore.net.proto.Accepted a) throws ProtoDecodeException {
    require(a.hasSource(), "accepted.source");
    require(a.hasPromised(), "accepted.promised");
    return new Accepted(
        a.getRoundId(),
        fromProto(a.getSource()),
        a.getKey(),
        a.getOk(),
        fromProto(a.getPromised(), "accepted.promised"));
  }

  static io.kvstore.net.proto.Read toProto(Read r) {
    return io.kvstore.net.proto.Read.newBuilder()
        .setRoundId(r.roundId())
        .setSource(toProto(r.source()))
        .setTarget(toProto(r.target()))
        .setKey(r.key())
        .build();
  }

  static Read fromProto(io.kvstore.net.proto.Read r) throws ProtoDecodeException {
    require(r.hasSource(), "read.source");
    require(r.hasTarget(), "read.target");
    return new Read(r.getRoundId(), fromProto(r.getSource()), fromProto(r.getTarget()), r.getKey());
  }

  static io.kvstore.net.proto.ReadReply toProto(ReadReply r) {
    io.kvstore.net.proto.ReadReply.Builder b =
        io.kvstore.net.proto.ReadReply.newBuilder()
            .setRoundId(r.roundId())
            .setSource(toProto(r.source()))
            .setKey(r.key())
            .setAccepted(toProto(r.accepted()));
    if (r.cell() != null) {
      b.setCell(toProto(r.cell()));
    }
    return b.build();
  }

  static ReadReply fromProto(io.kvstore.net.proto.ReadReply r) throws ProtoDecodeException {
    require(r.hasSource(), "read_reply.source");
    require(r.hasAccepted(), "read_reply.accepted");
    return new ReadReply(
        r.getRoundId(),
        fromProto(r.getSource()),
        r.getKey(),
        fromProto(r.getAccepted(), "read_reply.accepted"),
        r.hasCell() ? fromProto(r.getCell()) : null);
  }

  static io.kvstore.net.proto.ClientRequest toProto(ClientRequest r) {
    io.kvstore.net.proto.ClientRequest.Builder b =
        io.kvstore.net.proto.ClientRequest.newBuilder()
            .setOpId(r.opId())
            .setSource(toProto(r.source()))
            .setTarget(toProto(r.target()))
            .setKey(r.key())
            .setKind(toProto(r.kind()))
            .setExpectedVersion(r.expectedVersion())
            .setTtlNanos(r.ttlNanos())
            .setTimeoutNanos(r.timeoutNanos());
    if (r.value() != null) {
      b.setValue(ByteString.copyFrom(r.value()));
    }
    return b.build();
  }

  static ClientRequest fromProto(io.kvstore.net.proto.ClientRequest r)
      throws ProtoDecodeException {
    require(r.hasSource(), "client_request.source");
    require(r.hasTarget(), "client_request.target");
    return new ClientRequest(
        r.getOpId(),
        fromProto(r.getSource()),
        fromProto(r.getTarget()),
        r.getKey(),
        fromProto(r.getKind()),
        r.hasValue() ? r.getValue().toByteArray() : null,
        r.getExpectedVersion(),
        r.getTtlNanos(),
        r.getTimeoutNanos());
  }

  /** A null reason is sent as the empty one ("no reason"). */
  static io.kvstore.net.proto.ClientReply toProto(ClientReply r) {
    io.kvstore.net.proto.ClientReply.Builder b =
        io.kvstore.net.proto.ClientReply.newBuilder()
            .setOpId(r.opId())
            .setSource(toProto(r.source()))
            .setStatus(toProto(r.status()))
            .setApplied(r.applied())
            .setVersion(r.version())
            .setReason(r.reason() == null ? "" : r.reason());
    if (r.value() != null) {
      b.setValue(ByteString.copyFrom(r.value()));
    }
    return b.build();
  }

  static ClientReply fromProto(io.kvstore.net.proto.ClientReply r) throws ProtoDecodeException {
    require(r.hasSource(), "client_reply.source");
    return new ClientReply(
        r.getOpId(),
        fromProto(r.getSource()),
        fromProto(r.getStatus()),
        r.getApplied(),
        r.getVersion(),
        r.hasValue() ? r.getValue().toByteArray() : null,
        r.getReason());
  }

  /**
   * The protobuf form of a configuration announcement.
   *
   * @throws IllegalArgumentException if the configuration is one no receiver would accept (an
   *     epoch below 1, no members, a replication factor or partition count below 1)
   */
  static io.kvstore.net.proto.ConfigAnnounce toProto(ConfigAnnounce c) {
    checkConfig(c.epoch(), c.members().size(), c.replicationFactor(), c.partitions());
    io.kvstore.net.proto.ConfigAnnounce.Builder b =
        io.kvstore.net.proto.ConfigAnnounce.newBuilder()
            .setSource(toProto(c.source()))
            .setEpoch(c.epoch())
            .setReplicationFactor(c.replicationFactor())
            .setPartitions(c.partitions());
    for (NodeId member : c.members()) {
      b.addMembers(toProto(member));
    }
    return b.build();
  }

  static ConfigAnnounce fromProto(io.kvstore.net.proto.ConfigAnnounce c)
      throws ProtoDecodeException {
    require(c.hasSource(), "config_announce.source");
    try {
      // uint64 and uint32 arrive signed: values above the signed maximum are negative here.
      checkConfig(c.getEpoch(), c.getMembersCount(), c.getReplicationFactor(), c.getPartitions());
    } catch (IllegalArgumentException e) {
      throw new ProtoDecodeException("invalid config_announce: " + e.getMessage(), e);
    }
    List<NodeId> members = new ArrayList<>(c.getMembersCount());
    for (io.kvstore.net.proto.NodeId m : c.getMembersList()) {
      members.add(fromProto(m));
    }
    return new ConfigAnnounce(
        fromProto(c.getSource()),
        c.getEpoch(),
        members,
        c.getReplicationFactor(),
        c.getPartitions());
  }

  private static void checkConfig(long epoch, int members, int replicationFactor, int partitions) {
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch " + Long.toUnsignedString(epoch) + " out of range");
    }
    if (members < 1) {
      throw new IllegalArgumentException("no members");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replication factor " + Integer.toUnsignedString(replicationFactor) + " out of range");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "partition count " + Integer.toUnsignedString(partitions) + " out of range");
    }
  }

  // ---- replication values ----

  /** The protobuf form of a ballot; {@link Ballot#ZERO} has counter 0 and no node. */
  static io.kvstore.net.proto.Ballot toProto(Ballot b) {
    io.kvstore.net.proto.Ballot.Builder out =
        io.kvstore.net.proto.Ballot.newBuilder().setCounter(b.counter());
    if (b.node() != null) {
      out.setNode(toProto(b.node()));
    }
    return out.build();
  }

  /** A uint64 field that must fit a Java long. */
  private static long nonNegative(long value, String field) throws ProtoDecodeException {
    if (value < 0) {
      throw new ProtoDecodeException(field + " " + Long.toUnsignedString(value) + " out of range");
    }
    return value;
  }

  /**
   * The ballot in {@code b}: {@link Ballot#ZERO} itself for counter 0 without a node; a counter
   * above 2^63 - 1, or a node present exactly when the counter is 0, is a decode error.
   */
  static Ballot fromProto(io.kvstore.net.proto.Ballot b, String field)
      throws ProtoDecodeException {
    long counter = b.getCounter();
    if (counter < 0) {
      throw new ProtoDecodeException(
          field + ": ballot counter " + Long.toUnsignedString(counter) + " out of range");
    }
    if (counter == 0) {
      if (b.hasNode()) {
        throw new ProtoDecodeException(field + ": the zero ballot has no node");
      }
      return Ballot.ZERO;
    }
    if (!b.hasNode()) {
      throw new ProtoDecodeException(field + ": a non-zero ballot needs a node");
    }
    return new Ballot(counter, fromProto(b.getNode()));
  }

  /** The protobuf form of a cell; a tombstone has no value field, an empty value an empty one. */
  static io.kvstore.net.proto.Cell toProto(Cell c) {
    io.kvstore.net.proto.Cell.Builder b =
        io.kvstore.net.proto.Cell.newBuilder()
            .setVersion(c.version())
            .setExpiresAtMillis(c.expiresAtMillis())
            .setRequestId(c.requestId());
    if (c.value() != null) {
      b.setValue(ByteString.copyFrom(c.value()));
    }
    return b.build();
  }

  /** The cell in {@code c}, with a fresh copy of its value bytes. */
  static Cell fromProto(io.kvstore.net.proto.Cell c) {
    return new Cell(
        c.hasValue() ? c.getValue().toByteArray() : null,
        c.getVersion(),
        c.getExpiresAtMillis(),
        c.getRequestId());
  }

  static io.kvstore.net.proto.ClientOperation toProto(ClientRequest.Kind k) {
    switch (k) {
      case GET:
        return io.kvstore.net.proto.ClientOperation.CLIENT_OPERATION_GET;
      case PUT:
        return io.kvstore.net.proto.ClientOperation.CLIENT_OPERATION_PUT;
      case DELETE:
        return io.kvstore.net.proto.ClientOperation.CLIENT_OPERATION_DELETE;
      case COMPARE_AND_SET:
        return io.kvstore.net.proto.ClientOperation.CLIENT_OPERATION_COMPARE_AND_SET;
      case PUT_IF_ABSENT:
        return io.kvstore.net.proto.ClientOperation.CLIENT_OPERATION_PUT_IF_ABSENT;
      default:
        throw new IllegalArgumentException("unknown client operation " + k);
    }
  }

  static ClientRequest.Kind fromProto(io.kvstore.net.proto.ClientOperation k)
      throws ProtoDecodeException {
    switch (k) {
      case CLIENT_OPERATION_GET:
        return ClientRequest.Kind.GET;
      case CLIENT_OPERATION_PUT:
        return ClientRequest.Kind.PUT;
      case CLIENT_OPERATION_DELETE:
        return ClientRequest.Kind.DELETE;
      case CLIENT_OPERATION_COMPARE_AND_SET:
        return ClientRequest.Kind.COMPARE_AND_SET;
      case CLIENT_OPERATION_PUT_IF_ABSENT:
        return ClientRequest.Kind.PUT_IF_ABSENT;
      default:
        throw new ProtoDecodeException("unknown client operation kind " + k);
    }
  }

  static io.kvstore.net.proto.ClientStatus toProto(ClientReply.Status s) {
    switch (s) {
      case DONE:
        return io.kvstore.net.proto.ClientStatus.CLIENT_STATUS_DONE;
      case UNAVAILABLE:
        return io.kvstore.net.proto.ClientStatus.CLIENT_STATUS_UNAVAILABLE;
      case CONTENTION:
        return io.kvstore.net.proto.ClientStatus.CLIENT_STATUS_CONTENTION;
      case UNKNOWN:
        return io.kvstore.net.proto.ClientStatus.CLIENT_STATUS_UNKNOWN;
      default:
        throw new IllegalArgumentException("unknown client status " + s);
    }
  }

  static ClientReply.Status fromProto(io.kvstore.net.proto.ClientStatus s)
      throws ProtoDecodeException {
    switch (s) {
      case CLIENT_STATUS_DONE:
        return ClientReply.Status.DONE;
      case CLIENT_STATUS_UNAVAILABLE:
        return ClientReply.Status.UNAVAILABLE;
      case CLIENT_STATUS_CONTENTION:
        return ClientReply.Status.CONTENTION;
      case CLIENT_STATUS_UNKNOWN:
        return ClientReply.Status.UNKNOWN;
      default:
        throw new ProtoDecodeException("unknown client status " + s);
    }
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
