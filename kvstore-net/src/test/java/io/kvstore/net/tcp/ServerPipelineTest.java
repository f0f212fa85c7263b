package io.kvstore.net.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.NodeId;
import io.kvstore.net.NettyTransportConfig;
import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.EnvelopeHeaders;
import io.kvstore.net.codec.FrameCodec;
import io.kvstore.net.codec.ProtoMapper;
import io.kvstore.net.proto.Envelope;
import io.kvstore.net.proto.Hello;
import io.kvstore.net.proto.HelloReply;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Nack;
import io.kvstore.spi.message.Ping;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The accepted-connection pipeline (framing, handshake, inbound delivery) driven byte by byte
 * through an {@link EmbeddedChannel}.
 */
class ServerPipelineTest {
  private static final int MAX_FRAME = 1024;
  private static final Endpoint LOCAL = new Endpoint("127.0.0.1", 7000);
  private static final Endpoint PEER = new Endpoint("10.1.2.3", 7946);
  private static final NodeId A = new NodeId("a", 1);

  private final List<Endpoint> froms = new ArrayList<>();
  private final List<Message> received = new ArrayList<>();
  private TransportMetrics metrics;
  private EmbeddedChannel ch;

  @BeforeAll
  static void paranoid() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @BeforeEach
  void setUp() {
    NettyTransportConfig config =
        NettyTransportConfig.builder()
            .clusterName("blue")
            .maxFrameBytes(MAX_FRAME)
            .connectTimeout(java.time.Duration.ofSeconds(1))
            .build();
    metrics = new TransportMetrics();
    TransportContext ctx =
        new TransportContext(
            config,
            metrics,
            (from, m) -> {
              froms.add(from);
              received.add(m);
            });
    ctx.setLocal(LOCAL);
    ch =
        new EmbeddedChannel(
            new TcpServer.ServerInitializer(
                ctx, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
  }

  @AfterEach
  void tearDown() {
    ch.finishAndReleaseAll();
  }

  // ---- helpers ----

  private static Envelope.Builder envelope(String cluster, Endpoint sender) {
    return EnvelopeHeaders.newEnvelope(cluster, ProtoMapper.toProto(sender));
  }

  private static Envelope hello(String cluster) {
    return envelope(cluster, PEER)
        .setRequestId(1)
        .setHello(Hello.newBuilder().setMinVersion(1).setMaxVersion(1))
        .build();
  }

  private static Envelope ping(long seq) {
    return ProtoMapper.setBody(envelope("blue", PEER), new Ping(seq, A, A, List.of())).build();
  }

  private static ByteBuf frame(Envelope e) {
    byte[] bytes = e.toByteArray();
    return Unpooled.buffer().writeInt(bytes.length).writeBytes(bytes);
  }

  private HelloReply readReply() throws Exception {
    ByteBuf out = ch.readOutbound();
    assertThat(out).as("a HelloReply frame").isNotNull();
    try {
      int length = out.readInt();
      assertThat(out.readableBytes()).isEqualTo(length);
      Envelope e = Envelope.parseFrom(out.nioBuffer());
      assertThat(e.getCluster()).isEqualTo("blue");
      assertThat(ProtoMapper.fromProto(e.getSender())).isEqualTo(LOCAL);
      return e.getHelloReply();
    } finally {
      out.release();
    }
  }

  private void handshake() throws Exception {
    ch.writeInbound(frame(hello("blue")));
    assertThat(readReply().getAccepted()).isTrue();
    assertThat(ch.isOpen()).isTrue();
  }

  // ---- tests ----

  @Test
  void acceptsAHelloThenDeliversAsTheHellosSender() throws Exception {
    handshake();
    ch.writeInbound(frame(ping(7)));
    assertThat(received).containsExactly(new Ping(7, A, A, List.of()));
    assertThat(froms).containsExactly(PEER);
    assertThat(metrics.get(Counter.TCP_MESSAGES_IN)).isEqualTo(1);
    assertThat(metrics.get(Counter.HANDSHAKE_FAILURES)).isZero();
  }

  @Test
  void reassemblesAFrameSplitAcrossReads() throws Exception {
    handshake();
    ByteBuf whole = frame(ping(1));
    int n = whole.readableBytes();
    ch.writeInbound(whole.readRetainedSlice(2)); // half of the length prefix
    ch.writeInbound(whole.readRetainedSlice(5)); // the rest of it and a bit of payload
    assertThat(received).isEmpty();
    ch.writeInbound(whole.readRetainedSlice(n - 7));
    whole.release();
    assertThat(received).containsExactly(new Ping(1, A, A, List.of()));
  }

  @Test
  void splitsSeveralFramesInOneRead() throws Exception {
    handshake();
    ByteBuf three = Unpooled.buffer();
    for (long seq = 1; seq <= 3; seq++) {
      ByteBuf f = frame(ping(seq));
      three.writeBytes(f);
      f.release();
    }
    ch.writeInbound(three);
    assertThat(received).extracting(m -> ((Ping) m).seq()).containsExactly(1L, 2L, 3L);
  }

  @Test
  void oversizeLengthPrefixClosesAndCounts() throws Exception {
    handshake();
    ch.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME + 1).writeBytes(new byte[16]));
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.get(Counter.DROPPED_OVERSIZE)).isEqualTo(1);
    assertThat(received).isEmpty();
  }

  @Test
  void aFrameAtTheLimitIsAccepted() throws Exception {
    handshake();
    // A valid envelope padded with an unknown field up to exactly the limit is a valid frame;
    // its body is still a Ping, so it is delivered.
    byte[] ping = ping(9).toByteArray();
    int pad = MAX_FRAME - ping.length - 3; // tag (2 bytes) + length (1..2 bytes)
    pad -= pad >= 128 ? 1 : 0;
    ByteBuf f = Unpooled.buffer();
    f.writeInt(ping.length + 2 + (pad >= 128 ? 2 : 1) + pad).writeBytes(ping);
    f.writeByte(0xFA).writeByte(0x7F); // field 2047, wire type 2 (unknown to this schema)
    if (pad >= 128) {
      f.writeByte((pad & 0x7F) | 0x80).writeByte(pad >>> 7);
    } else {
      f.writeByte(pad);
    }
    f.writeBytes(new byte[pad]);
    assertThat(f.readableBytes()).isEqualTo(MAX_FRAME + 4);
    ch.writeInbound(f);
    assertThat(ch.isOpen()).isTrue();
    assertThat(received).containsExactly(new Ping(9, A, A, List.of()));
  }

  @Test
  void garbageBytesCloseAndCount() throws Exception {
    handshake();
    ch.writeInbound(
        Unpooled.buffer()
            .writeInt(8)
            .writeBytes(
                new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4}));
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.get(Counter.DROPPED_GARBAGE)).isEqualTo(1);
  }

  @Test
  void aLengthPrefixWithTheHighBitSetIsOversizeEvenBeforeTheHandshake() {
    // The prefix is unsigned: 0xFFFFFFFB is four gigabytes, not -5.
    ch.writeInbound(Unpooled.buffer().writeInt(-5).writeLong(0));
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.get(Counter.DROPPED_OVERSIZE)).isEqualTo(1);
    assertThat(metrics.get(Counter.HANDSHAKE_FAILURES)).isEqualTo(1);
  }

  @Test
  void anEmptyBodyAfterTheHandshakeClosesAndCounts() throws Exception {
    handshake();
    ch.writeInbound(frame(envelope("blue", PEER).build()));
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.get(Counter.DROPPED_GARBAGE)).isEqualTo(1);
  }

  @Test
  void aMessageBeforeTheHandshakeClosesAndCounts() {
    ch.writeInbound(frame(ping(1)));
    assertThat(ch.isOpen()).isFalse();
    assertThat(received).isEmpty();
    assertThat(metrics.get(Counter.DROPPED_GARBAGE)).isEqualTo(1);
    assertThat(metrics.get(Counter.HANDSHAKE_FAILURES)).isEqualTo(1);
  }

  @Test
  void wrongClusterIsRefusedAndCounted() throws Exception {
    ch.writeInbound(frame(hello("green")));
    HelloReply reply = readReply();
    assertThat(reply.getAccepted()).isFalse();
    assertThat(reply.getReason()).contains("green");
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.get(Counter.HANDSHAKE_FAILURES)).isEqualTo(1);
    assertThat(metrics.get(Counter.DROPPED_WRONG_CLUSTER)).isEqualTo(1);
  }

  @Test
  void unsupportedEnvelopeVersionIsRefused() throws Exception {
    ch.writeInbound(frame(hello("blue").toBuilder().setProtocolVersion(99).build()));
    assertThat(readReply().getAccepted()).isFalse();
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.get(Counter.DROPPED_WRONG_VERSION)).isEqualTo(1);
    assertThat(metrics.get(Counter.HANDSHAKE_FAILURES)).isEqualTo(1);
  }

  @Test
  void disjointVersionRangeIsRefused() throws Exception {
    ch.writeInbound(
        frame(
            hello("blue").toBuilder()
                .setHello(Hello.newBuilder().setMinVersion(2).setMaxVersion(5))
                .build()));
    HelloReply reply = readReply();
    assertThat(reply.getAccepted()).isFalse();
    assertThat(reply.getReason()).contains("[2, 5]");
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.get(Counter.DROPPED_WRONG_VERSION)).isEqualTo(1);
  }

  @Test
  void wrongClusterAfterTheHandshakeClosesAndCounts() throws Exception {
    handshake();
    ch.writeInbound(frame(ProtoMapper.setBody(envelope("green", PEER), new Nack(1, A)).build()));
    assertThat(ch.isOpen()).isFalse();
    assertThat(received).isEmpty();
    assertThat(metrics.get(Counter.DROPPED_WRONG_CLUSTER)).isEqualTo(1);
  }

  @Test
  void noHelloWithinTheTimeoutCloses() {
    ch.advanceTimeBy(2, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.get(Counter.HANDSHAKE_FAILURES)).isEqualTo(1);
  }

  @Test
  void codecCountsInboundBytes() throws Exception {
    handshake();
    ByteBuf f = frame(ping(3));
    int n = f.readableBytes();
    long before = metrics.get(Counter.TCP_BYTES_IN);
    ch.writeInbound(f);
    assertThat(metrics.get(Counter.TCP_BYTES_IN) - before).isEqualTo(n);
    assertThat(FrameCodec.LENGTH_PREFIX_BYTES).isEqualTo(4);
  }
}
