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
import io.kvstore.spi.message.CatchUpStatus;
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
import io.kvstore.spi.message.SnapshotChunk;
import io.kvstore.spi.message.SnapshotRequest;
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
 * <p>Lists from the wire are bounded ({@link #MAX_MEMBERS}, {@link #MAX_SNAPSHOT_ENTRIES}, {@link
 * #MAX_SNAPSHOT_FLOORS}, {@link #MAX_DONE_PARTITIONS}), so that a small frame of tiny elements
 * cannot make a receiver build millions of records; the same bounds are checked on encode, so a
 * sender learns of a message no receiver would accept at once.
 *
 * <p>Thread-safe (stateless).
 */
public final class ProtoMapper {
  /** The most members (and, separately, previous members) a {@link ConfigAnnounce} may list. */
  public static final int MAX_MEMBERS = 4096;

  /**
   * The most entries in one {@link SnapshotChunk}: well above what a sender puts in one chunk (512
   * today), so that chunk sizing can change without a protocol change.
   */
  public static final int MAX_SNAPSHOT_ENTRIES = 4096;

  /** The most floors in one {@link SnapshotChunk} (a sender has 1024 floor buckets today). */
  public static final int MAX_SNAPSHOT_FLOORS = 4096;

  /** The most partitions a {@link CatchUpStatus} may report done: the largest partition count. */
  public static final int MAX_DONE_PARTITIONS = 65536;

  private ProtoMapper() {}

  /**
   * Sets the body of {@code envelope} to the protobuf form of {@code message}.
   *
   * @throws IllegalArgumentException if the message type has no wire form, or the message is one
   *     no receiver would accept (a {@link ConfigAnnounce} without members, a negative epoch, a
   *     list above its bound, for example): a programming error
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
    } else if (message instanceof SnapshotRequest r) {
      envelope.setSnapshotRequest(toProto(r));
    } else if (message instanceof SnapshotChunk c) {
      envelope.setSnapshotChunk(toProto(c));
    } else if (message instanceof CatchUpStatus s) {
      envelope.setCatchUpStatus(toProto(s));
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
        case SNAPSHOT_REQUEST:
          return fromProto(envelope.getSnapshotRequest());
        case SNAPSHOT_CHUNK:
          return fromProto(envelope.getSnapshotChunk());
        case CATCH_UP_STATUS:
          return fromProto(envelope.getCatchUpStatus());
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
        .setEpoch(epochToProto(p.epoch(), "prepare.epoch"))
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
        fromProto(p.getBallot(), "prepare.ballot"),
        nonNegative(p.getEpoch(), "prepare.epoch"));
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
        .setEpoch(epochToProto(p.epoch(), "purge.epoch"))
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
        fromProto(p.getBallot(), "purge.ballot"),
        nonNegative(p.getEpoch(), "purge.epoch"));
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
            .setCell(toProto(a.cell()))
            .setEpoch(epochToProto(a.epoch(), "accept.epoch"));
    if (a.nextPromise() != null) {
      b.setNextPromise(toProto(a.nextPromise()));
    }
    if (a.answer() != null) {
      b.setAnswer(io.kvstore.net.proto.AcceptAnswer.newBuilder()
          .setOpId(a.answer().opId())
          .setApplied(a.answer().applied())
          .setVersion(a.answer().version()));
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
        a.hasNextPromise() ? fromProto(a.getNextPromise(), "accept.next_promise") : null,
        nonNegative(a.getEpoch(), "accept.epoch"),
        a.hasAnswer()
            ? new Accept.Answer(a.getAnswer().getOpId(), a.getAnswer().getApplied(),
                nonNegative(a.getAnswer().getVersion(), "accept.answer.version"))
            : null);
  }

  static io.kvstore.net.proto.Accepted toProto(Accepted a) {
    return io.kvstore.net.proto.Accepted.newBuilder()
        .setRoundId(a.roundId())
        .setSource(toProto(a.source()))
        .setKey(a.key())
        .setOk(a.ok())
        .setPromised(toProto(a.promised()))
        .setAnswered(a.answered())
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
        fromProto(a.getPromised(), "accepted.promised"),
        a.getAnswered());
  }

  static io.kvstore.net.proto.Read toProto(Read r) {
    return io.kvstore.net.proto.Read.newBuilder()
        .setRoundId(r.roundId())
        .setSource(toProto(r.source()))
        .setTarget(toProto(r.target()))
        .setKey(r.key())
        .setEpoch(epochToProto(r.epoch(), "read.epoch"))
        .build();
  }

  static Read fromProto(io.kvstore.net.proto.Read r) throws ProtoDecodeException {
    require(r.hasSource(), "read.source");
    require(r.hasTarget(), "read.target");
    return new Read(
        r.getRoundId(),
        fromProto(r.getSource()),
        fromProto(r.getTarget()),
        r.getKey(),
        nonNegative(r.getEpoch(), "read.epoch"));
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
   * @throws IllegalArgumentException if the configuration is one no receiver would accept (other
   *     than the empty announcement of epoch 0: an epoch below 1, no members, more than {@link
   *     #MAX_MEMBERS} members or previous members, a replication factor or partition count below
   *     1, forced without previous members)
   */
  static io.kvstore.net.proto.ConfigAnnounce toProto(ConfigAnnounce c) {
    checkConfig(
        c.epoch(),
        c.members().size(),
        c.previous().size(),
        c.replicationFactor(),
        c.partitions());
    io.kvstore.net.proto.ConfigAnnounce.Builder b =
        io.kvstore.net.proto.ConfigAnnounce.newBuilder()
            .setSource(toProto(c.source()))
            .setLineage(c.lineage())
            .setEpoch(c.epoch())
            .setReplicationFactor(c.replicationFactor())
            .setPartitions(c.partitions())
            .setForced(c.forced());
    if (c.forced() && c.previous().isEmpty()) {
      throw new IllegalArgumentException("a forced configuration without previous members");
    }
    for (NodeId member : c.members()) {
      b.addMembers(toProto(member));
    }
    for (NodeId member : c.previous()) {
      b.addPrevious(toProto(member));
    }
    return b.build();
  }

  static ConfigAnnounce fromProto(io.kvstore.net.proto.ConfigAnnounce c)
      throws ProtoDecodeException {
    require(c.hasSource(), "config_announce.source");
    try {
      // uint64 and uint32 arrive signed: values above the signed maximum are negative here.
      checkConfig(
          c.getEpoch(),
          c.getMembersCount(),
          c.getPreviousCount(),
          c.getReplicationFactor(),
          c.getPartitions());
    } catch (IllegalArgumentException e) {
      throw new ProtoDecodeException("invalid config_announce: " + e.getMessage(), e);
    }
    if (c.getForced() && c.getPreviousCount() == 0) {
      throw new ProtoDecodeException("invalid config_announce: forced without previous members");
    }
    return new ConfigAnnounce(
        fromProto(c.getSource()),
        c.getLineage(),
        c.getEpoch(),
        nodeIds(c.getMembersList()),
        nodeIds(c.getPreviousList()),
        c.getReplicationFactor(),
        c.getPartitions(),
        c.getForced());
  }

  private static List<NodeId> nodeIds(List<io.kvstore.net.proto.NodeId> ids)
      throws ProtoDecodeException {
    List<NodeId> out = new ArrayList<>(ids.size());
    for (io.kvstore.net.proto.NodeId id : ids) {
      out.add(fromProto(id));
    }
    return out;
  }

  private static void checkConfig(
      long epoch, int members, int previous, int replicationFactor, int partitions) {
    if (epoch == 0 && members == 0 && previous == 0 && replicationFactor == 0 && partitions == 0) {
      return; // "no configuration": a node waiting to be added to a cluster says so
    }
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch " + Long.toUnsignedString(epoch) + " out of range");
    }
    if (members < 1) {
      throw new IllegalArgumentException("no members");
    }
    if (members > MAX_MEMBERS) {
      throw new IllegalArgumentException(members + " members, above " + MAX_MEMBERS);
    }
    if (previous > MAX_MEMBERS) {
      throw new IllegalArgumentException(previous + " previous members, above " + MAX_MEMBERS);
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

  // ---- catch-up messages ----

  /**
   * The protobuf form of a snapshot request.
   *
   * @throws IllegalArgumentException if an epoch below 1, or a negative partition, offset or
   *     entry count, would make the request one no receiver accepts
   */
  static io.kvstore.net.proto.SnapshotRequest toProto(SnapshotRequest r) {
    positiveEpoch(r.epoch(), "snapshot_request.epoch");
    checkArgument(r.partition() >= 0, "snapshot_request.partition", r.partition());
    checkArgument(r.offset() >= 0, "snapshot_request.offset", r.offset());
    checkArgument(r.maxEntries() >= 0, "snapshot_request.max_entries", r.maxEntries());
    return io.kvstore.net.proto.SnapshotRequest.newBuilder()
        .setSource(toProto(r.source()))
        .setTarget(toProto(r.target()))
        .setEpoch(r.epoch())
        .setPartition(r.partition())
        .setOffset(r.offset())
        .setMaxEntries(r.maxEntries())
        .build();
  }

  static SnapshotRequest fromProto(io.kvstore.net.proto.SnapshotRequest r)
      throws ProtoDecodeException {
    require(r.hasSource(), "snapshot_request.source");
    require(r.hasTarget(), "snapshot_request.target");
    return new SnapshotRequest(
        fromProto(r.getSource()),
        fromProto(r.getTarget()),
        positiveEpochFromWire(r.getEpoch(), "snapshot_request.epoch"),
        nonNegative(r.getPartition(), "snapshot_request.partition"),
        nonNegative(r.getOffset(), "snapshot_request.offset"),
        nonNegative(r.getMaxEntries(), "snapshot_request.max_entries"));
  }

  /**
   * The protobuf form of a snapshot chunk.
   *
   * @throws IllegalArgumentException if the chunk is one no receiver accepts: an epoch below 1, a
   *     negative partition, offset, bucket or version, or more than {@link #MAX_SNAPSHOT_ENTRIES}
   *     entries or {@link #MAX_SNAPSHOT_FLOORS} floors
   */
  static io.kvstore.net.proto.SnapshotChunk toProto(SnapshotChunk c) {
    positiveEpoch(c.epoch(), "snapshot_chunk.epoch");
    checkArgument(c.partition() >= 0, "snapshot_chunk.partition", c.partition());
    checkArgument(c.offset() >= 0, "snapshot_chunk.offset", c.offset());
    checkArgument(c.nextOffset() >= 0, "snapshot_chunk.next_offset", c.nextOffset());
    checkArgument(
        c.entries().size() <= MAX_SNAPSHOT_ENTRIES, "snapshot_chunk.entries", c.entries().size());
    checkArgument(
        c.floors().size() <= MAX_SNAPSHOT_FLOORS, "snapshot_chunk.floors", c.floors().size());
    io.kvstore.net.proto.SnapshotChunk.Builder b =
        io.kvstore.net.proto.SnapshotChunk.newBuilder()
            .setSource(toProto(c.source()))
            .setTarget(toProto(c.target()))
            .setEpoch(c.epoch())
            .setPartition(c.partition())
            .setOffset(c.offset())
            .setNextOffset(c.nextOffset())
            .setStatus(toProto(c.status()))
            .setLast(c.last());
    for (SnapshotChunk.Entry e : c.entries()) {
      b.addEntries(
          io.kvstore.net.proto.SnapshotEntry.newBuilder()
              .setKey(e.key())
              .setAccepted(toProto(e.accepted()))
              .setCell(toProto(e.cell())));
    }
    for (SnapshotChunk.Floor f : c.floors()) {
      checkArgument(f.bucket() >= 0, "snapshot_chunk.floors.bucket", f.bucket());
      checkArgument(f.version() >= 0, "snapshot_chunk.floors.version", f.version());
      b.addFloors(
          io.kvstore.net.proto.SnapshotFloor.newBuilder()
              .setBucket(f.bucket())
              .setBallot(toProto(f.ballot()))
              .setVersion(f.version()));
    }
    return b.build();
  }

  static SnapshotChunk fromProto(io.kvstore.net.proto.SnapshotChunk c)
      throws ProtoDecodeException {
    require(c.hasSource(), "snapshot_chunk.source");
    require(c.hasTarget(), "snapshot_chunk.target");
    // Counts first: nothing is built for an oversized list.
    atMost(c.getEntriesCount(), MAX_SNAPSHOT_ENTRIES, "snapshot_chunk.entries");
    atMost(c.getFloorsCount(), MAX_SNAPSHOT_FLOORS, "snapshot_chunk.floors");
    List<SnapshotChunk.Entry> entries = new ArrayList<>(c.getEntriesCount());
    for (io.kvstore.net.proto.SnapshotEntry e : c.getEntriesList()) {
      require(e.hasAccepted(), "snapshot_chunk.entries.accepted");
      require(e.hasCell(), "snapshot_chunk.entries.cell");
      entries.add(
          new SnapshotChunk.Entry(
              e.getKey(),
              fromProto(e.getAccepted(), "snapshot_chunk.entries.accepted"),
              fromProto(e.getCell())));
    }
    List<SnapshotChunk.Floor> floors = new ArrayList<>(c.getFloorsCount());
    for (io.kvstore.net.proto.SnapshotFloor f : c.getFloorsList()) {
      require(f.hasBallot(), "snapshot_chunk.floors.ballot");
      floors.add(
          new SnapshotChunk.Floor(
              nonNegative(f.getBucket(), "snapshot_chunk.floors.bucket"),
              fromProto(f.getBallot(), "snapshot_chunk.floors.ballot"),
              nonNegative(f.getVersion(), "snapshot_chunk.floors.version")));
    }
    return new SnapshotChunk(
        fromProto(c.getSource()),
        fromProto(c.getTarget()),
        positiveEpochFromWire(c.getEpoch(), "snapshot_chunk.epoch"),
        nonNegative(c.getPartition(), "snapshot_chunk.partition"),
        nonNegative(c.getOffset(), "snapshot_chunk.offset"),
        nonNegative(c.getNextOffset(), "snapshot_chunk.next_offset"),
        fromProto(c.getStatus()),
        entries,
        floors,
        c.getLast());
  }

  static io.kvstore.net.proto.SnapshotStatus toProto(SnapshotChunk.Status s) {
    switch (s) {
      case OK:
        return io.kvstore.net.proto.SnapshotStatus.SNAPSHOT_STATUS_OK;
      case BEHIND:
        return io.kvstore.net.proto.SnapshotStatus.SNAPSHOT_STATUS_BEHIND;
      case STALE:
        return io.kvstore.net.proto.SnapshotStatus.SNAPSHOT_STATUS_STALE;
      default:
        throw new IllegalArgumentException("unknown snapshot status " + s);
    }
  }

  static SnapshotChunk.Status fromProto(io.kvstore.net.proto.SnapshotStatus s)
      throws ProtoDecodeException {
    switch (s) {
      case SNAPSHOT_STATUS_OK:
        return SnapshotChunk.Status.OK;
      case SNAPSHOT_STATUS_BEHIND:
        return SnapshotChunk.Status.BEHIND;
      case SNAPSHOT_STATUS_STALE:
        return SnapshotChunk.Status.STALE;
      default:
        throw new ProtoDecodeException("unknown snapshot status " + s);
    }
  }

  /**
   * The protobuf form of a catch-up status.
   *
   * @throws IllegalArgumentException if an epoch below 1, a negative pending count, or done
   *     partitions that are negative, not strictly ascending or more than {@link
   *     #MAX_DONE_PARTITIONS} would make the status one no receiver accepts
   */
  static io.kvstore.net.proto.CatchUpStatus toProto(CatchUpStatus s) {
    positiveEpoch(s.epoch(), "catch_up_status.epoch");
    checkArgument(s.pending() >= 0, "catch_up_status.pending", s.pending());
    checkArgument(
        s.done().size() <= MAX_DONE_PARTITIONS, "catch_up_status.done", s.done().size());
    io.kvstore.net.proto.CatchUpStatus.Builder b =
        io.kvstore.net.proto.CatchUpStatus.newBuilder()
            .setSource(toProto(s.source()))
            .setEpoch(s.epoch())
            .setPending(s.pending());
    int previous = -1;
    for (int p : s.done()) {
      checkArgument(p > previous, "catch_up_status.done (negative or not ascending)", p);
      b.addDone(p);
      previous = p;
    }
    return b.build();
  }

  static CatchUpStatus fromProto(io.kvstore.net.proto.CatchUpStatus s)
      throws ProtoDecodeException {
    require(s.hasSource(), "catch_up_status.source");
    atMost(s.getDoneCount(), MAX_DONE_PARTITIONS, "catch_up_status.done");
    List<Integer> done = new ArrayList<>(s.getDoneCount());
    long previous = -1;
    for (int i = 0; i < s.getDoneCount(); i++) {
      // uint32 arrives signed: a partition above 2^31 - 1 is negative here.
      int p = nonNegative(s.getDone(i), "catch_up_status.done");
      if (p <= previous) {
        throw new ProtoDecodeException("catch_up_status.done not strictly ascending at " + p);
      }
      done.add(p);
      previous = p;
    }
    return new CatchUpStatus(
        fromProto(s.getSource()),
        positiveEpochFromWire(s.getEpoch(), "catch_up_status.epoch"),
        done,
        nonNegative(s.getPending(), "catch_up_status.pending"));
  }

  /** An epoch of a replication message: any non-negative long. */
  private static long epochToProto(long epoch, String field) {
    checkArgument(epoch >= 0, field, epoch);
    return epoch;
  }

  /** An epoch of a configuration or catch-up message: at least 1. */
  private static void positiveEpoch(long epoch, String field) {
    checkArgument(epoch >= 1, field, epoch);
  }

  private static long positiveEpochFromWire(long epoch, String field)
      throws ProtoDecodeException {
    if (epoch < 1) {
      throw new ProtoDecodeException(field + " " + Long.toUnsignedString(epoch) + " out of range");
    }
    return epoch;
  }

  private static void checkArgument(boolean ok, String field, long value) {
    if (!ok) {
      throw new IllegalArgumentException(field + " " + value + " out of range");
    }
  }

  private static void atMost(int count, int max, String field) throws ProtoDecodeException {
    if (count > max) {
      throw new ProtoDecodeException(field + ": " + count + " elements, above " + max);
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

  /** A uint32 field that must fit a Java int. */
  private static int nonNegative(int value, String field) throws ProtoDecodeException {
    if (value < 0) {
      throw new ProtoDecodeException(
          field + " " + Integer.toUnsignedString(value) + " out of range");
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

  /** Slots of the two identity caches: a power of two. */
  private static final int IDENTITY_SLOTS = 256;

  private static int slot(long boot) {
    return (int) (boot ^ (boot >>> 32)) & (IDENTITY_SLOTS - 1);
  }

  /** The protobuf form of a node identity. */
  public static io.kvstore.net.proto.NodeId toProto(NodeId id) {
    int slot = slot(id.boot());
    Encoded known = ENCODED[slot];
    if (known != null && known.id.equals(id)) {
      return known.proto;
    }
    io.kvstore.net.proto.NodeId proto =
        io.kvstore.net.proto.NodeId.newBuilder().setName(id.name()).setBoot(id.boot()).build();
    ENCODED[slot] = new Encoded(id, proto);
    return proto;
  }

  /** An identity and its (immutable) protobuf form. */
  private record Encoded(NodeId id, io.kvstore.net.proto.NodeId proto) {}

  /** Protobuf forms of identities encoded lately, by boot id (racy, like {@link #DECODED}). */
  private static final Encoded[] ENCODED = new Encoded[IDENTITY_SLOTS];

  /**
   * Identities decoded lately, by boot id: a cluster has few of them and every message carries
   * several, and a replica keeps the ballots it accepted (each naming its proposer), so equal
   * identities decode to one shared object instead of one per message. Racy on purpose: a slot
   * holds an immutable record, and a miss only costs a new one.
   */
  private static final NodeId[] DECODED = new NodeId[IDENTITY_SLOTS];

  /** The node identity in {@code id}; a blank name is a decode error. */
  public static NodeId fromProto(io.kvstore.net.proto.NodeId id) throws ProtoDecodeException {
    long boot = id.getBoot();
    String name = id.getName();
    int slot = slot(boot);
    NodeId known = DECODED[slot];
    if (known != null && known.boot() == boot && known.name().equals(name)) {
      return known;
    }
    try {
      NodeId decoded = new NodeId(name, boot);
      DECODED[slot] = decoded;
      return decoded;
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
