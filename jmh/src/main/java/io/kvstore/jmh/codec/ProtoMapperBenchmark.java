package io.kvstore.jmh.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.net.codec.EnvelopeHeaders;
import io.kvstore.net.codec.ProtoDecodeException;
import io.kvstore.net.codec.ProtoMapper;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.Ballot;
import io.kvstore.spi.message.Cell;
import io.kvstore.spi.message.MemberUpdate;
import io.kvstore.spi.message.Ping;
import io.kvstore.spi.message.SnapshotChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire codec on its own: a message record to envelope bytes ({@link ProtoMapper#setBody}, then
 * the protobuf serialisation) and back ({@code Envelope.parseFrom}, then {@link
 * ProtoMapper#fromEnvelope}). An {@link Accept} carrying a value of 100 B to 64 KiB (the
 * replication hot path), a {@link Ping} with three gossip updates (the membership hot path), and
 * a full {@link SnapshotChunk} (512 entries of 1 KiB, 1024 floors: the catch-up stream). Framing
 * and the socket are not included.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProtoMapperBenchmark {
  private static final String CLUSTER = "jmh";
  private static final io.kvstore.net.proto.Endpoint SENDER =
      io.kvstore.net.proto.Endpoint.newBuilder().setHost("10.0.0.1").setPort(7000).build();
  private static final NodeId A = new NodeId("node-a", 1_700_000_000_001L);
  private static final NodeId B = new NodeId("node-b", 1_700_000_000_002L);

  /** An accept of one value, and its encoded form. */
  @State(Scope.Thread)
  public static class AcceptMessage {
    /** Size of the value in the accepted cell: 100 B, 1 KiB, 64 KiB. */
    @Param({"100", "1024", "65536"})
    public int valueBytes;

    Accept message;
    byte[] bytes;

    /** Builds the message and encodes it once. */
    @Setup(Level.Trial)
    public void setUp() {
      byte[] value = new byte[valueBytes];
      new SplittableRandom(valueBytes).nextBytes(value);
      Ballot ballot = new Ballot(42, A);
      message =
          new Accept(
              7L,
              A,
              B,
              "user:12345",
              ballot,
              new Cell(value, 9L, 0L, 123_456_789L),
              ballot.next(A),
              3L);
      bytes = encode(message);
    }
  }

  /** A ping with three gossip updates, and its encoded form. */
  @State(Scope.Thread)
  public static class PingMessage {
    Ping message;
    byte[] bytes;

    /** Builds the message and encodes it once. */
    @Setup(Level.Trial)
    public void setUp() {
      message =
          new Ping(
              11L,
              A,
              B,
              List.of(
                  update("node-c", 3, MemberStatus.ALIVE, 0),
                  update("node-d", 4, MemberStatus.SUSPECT, 2),
                  update("node-e", 5, MemberStatus.DEAD, 1)));
      bytes = encode(message);
    }
  }

  /** A full catch-up chunk, and its encoded form. */
  @State(Scope.Thread)
  public static class ChunkMessage {
    SnapshotChunk message;
    byte[] bytes;

    /** Builds the message and encodes it once. */
    @Setup(Level.Trial)
    public void setUp() {
      SplittableRandom random = new SplittableRandom(512);
      List<SnapshotChunk.Entry> entries = new ArrayList<>(512);
      for (int i = 0; i < 512; i++) {
        byte[] value = new byte[1024];
        random.nextBytes(value);
        Ballot accepted = new Ballot(1 + random.nextInt(1000), i % 2 == 0 ? A : B);
        entries.add(
            new SnapshotChunk.Entry(
                "user:" + (100_000 + i), accepted, new Cell(value, 1 + i, 0L, random.nextLong())));
      }
      List<SnapshotChunk.Floor> floors = new ArrayList<>(1024);
      for (int bucket = 0; bucket < 1024; bucket++) {
        floors.add(new SnapshotChunk.Floor(bucket, new Ballot(7, A), 1_000 + bucket));
      }
      message =
          new SnapshotChunk(
              A, B, 4L, 17, 0, 512, SnapshotChunk.Status.OK, entries, floors, false);
      bytes = encode(message);
    }
  }

  private static MemberUpdate update(String name, int n, MemberStatus status, long incarnation) {
    return new MemberUpdate(
        new NodeId(name, 1_700_000_000_000L + n),
        new Endpoint("10.0.0." + n, 7000),
        status,
        incarnation,
        Map.of("zone", "z" + (n % 2)));
  }

  static byte[] encode(Message m) {
    return ProtoMapper.setBody(EnvelopeHeaders.newEnvelope(CLUSTER, SENDER), m).build().toByteArray();
  }

  static Message decode(byte[] bytes) throws InvalidProtocolBufferException, ProtoDecodeException {
    return ProtoMapper.fromEnvelope(Envelope.parseFrom(bytes));
  }

  /** Accept record to envelope bytes. */
  @Benchmark
  public byte[] encodeAccept(AcceptMessage m) {
    return encode(m.message);
  }

  /** Envelope bytes to Accept record. */
  @Benchmark
  public Message decodeAccept(AcceptMessage m) throws Exception {
    return decode(m.bytes);
  }

  /** Ping (three gossip updates) to envelope bytes. */
  @Benchmark
  public byte[] encodePing(PingMessage m) {
    return encode(m.message);
  }

  /** Envelope bytes to Ping record. */
  @Benchmark
  public Message decodePing(PingMessage m) throws Exception {
    return decode(m.bytes);
  }

  /** A full snapshot chunk to envelope bytes. */
  @Benchmark
  public byte[] encodeSnapshotChunk(ChunkMessage m) {
    return encode(m.message);
  }

  /** Envelope bytes to a full snapshot chunk. */
  @Benchmark
  public Message decodeSnapshotChunk(ChunkMessage m) throws Exception {
    return decode(m.bytes);
  }
}
