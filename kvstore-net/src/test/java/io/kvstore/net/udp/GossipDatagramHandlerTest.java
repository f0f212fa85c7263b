package io.kvstore.net.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.NodeId;
import io.kvstore.net.NettyTransportConfig;
import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.EnvelopeHeaders;
import io.kvstore.net.codec.ProtoMapper;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Ack;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Datagram decoding and filtering, through an {@link EmbeddedChannel}. */
class GossipDatagramHandlerTest {
  private static final Endpoint ADVERTISED = new Endpoint("10.0.0.9", 7946);
  private static final InetSocketAddress SOURCE = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress SELF = new InetSocketAddress("127.0.0.1", 7946);
  private static final Ack ACK = new Ack(5, new NodeId("n", 9), List.of());

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
    metrics = new TransportMetrics();
    TransportContext ctx =
        new TransportContext(
            NettyTransportConfig.builder().clusterName("blue").build(),
            metrics,
            (from, m) -> {
              froms.add(from);
              received.add(m);
            });
    ctx.setLocal(new Endpoint("127.0.0.1", 7946));
    ch = new EmbeddedChannel(new GossipDatagramHandler(ctx));
  }

  @AfterEach
  void tearDown() {
    ch.finishAndReleaseAll();
  }

  private void receive(byte[] bytes) {
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(bytes), SELF, SOURCE));
  }

  private static byte[] datagram(String cluster, Message m) {
    Envelope.Builder e = EnvelopeHeaders.newEnvelope(cluster, ProtoMapper.toProto(ADVERTISED));
    return ProtoMapper.setBody(e, m).build().toByteArray();
  }

  @Test
  void deliversAsTheEnvelopesSenderNotTheSourceAddress() {
    receive(datagram("blue", ACK));
    assertThat(received).containsExactly(ACK);
    assertThat(froms).containsExactly(ADVERTISED);
    assertThat(metrics.get(Counter.UDP_MESSAGES_IN)).isEqualTo(1);
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void otherClustersAreDroppedAndCounted() {
    receive(datagram("green", ACK));
    receive(datagram("green", ACK));
    assertThat(received).isEmpty();
    assertThat(metrics.get(Counter.DROPPED_WRONG_CLUSTER)).isEqualTo(2);
  }

  @Test
  void unsupportedVersionsAreDroppedAndCounted() throws Exception {
    Envelope e =
        Envelope.parseFrom(datagram("blue", ACK)).toBuilder().setProtocolVersion(2).build();
    receive(e.toByteArray());
    assertThat(received).isEmpty();
    assertThat(metrics.get(Counter.DROPPED_WRONG_VERSION)).isEqualTo(1);
  }

  @Test
  void garbageAndTruncatedDatagramsAreDroppedAndCountedAndTheChannelStaysOpen() {
    byte[] good = datagram("blue", ACK);
    receive(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
    receive(Arrays.copyOf(good, good.length - 3)); // truncated
    receive(new byte[0]); // parses as an empty envelope: no version
    byte[] noBody =
        EnvelopeHeaders.newEnvelope("blue", ProtoMapper.toProto(ADVERTISED)).build().toByteArray();
    receive(noBody);
    assertThat(received).isEmpty();
    assertThat(metrics.get(Counter.DROPPED_GARBAGE) + metrics.get(Counter.DROPPED_WRONG_VERSION))
        .isEqualTo(4);
    assertThat(metrics.get(Counter.DROPPED_GARBAGE)).isGreaterThanOrEqualTo(2);
    assertThat(ch.isOpen()).isTrue();
    receive(good);
    assertThat(received).containsExactly(ACK);
  }
}
