package io.kvstore.net.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.maps;
import static org.quicktheories.generators.SourceDSL.strings;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.net.proto.Envelope;
import io.kvstore.net.proto.Hello;
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
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** Every message survives record → protobuf → bytes → protobuf → record unchanged. */
class ProtoMapperTest {
  private static final io.kvstore.net.proto.Endpoint SENDER =
      ProtoMapper.toProto(new Endpoint("127.0.0.1", 7946));

  // ---- generators ----

  /**
   * Well-formed text: ASCII, the BMP, or emoji. Unpaired surrogates, which no UTF-8 encoder can
   * carry, are replaced by U+FFFD so that the generator never has to give up.
   */
  static Gen<String> text(int min, int max) {
    return Generate.oneOf(
            strings().basicLatinAlphabet().ofLengthBetween(min, max),
            strings().basicMultilingualPlaneAlphabet().ofLengthBetween(min, max),
            strings().betweenCodePoints(0x1F300, 0x1F64F).ofLengthBetween(min, max))
        .map(ProtoMapperTest::wellFormed);
  }

  static String wellFormed(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        b.append('\uFFFD');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** Non-blank well-formed text, as names and hosts must be. */
  static Gen<String> name(int max) {
    return text(1, max).map(s -> s.isBlank() ? "n" + s : s);
  }

  static Gen<NodeId> nodeIds() {
    return name(24).zip(longs().all(), NodeId::new);
  }

  static Gen<Endpoint> endpoints() {
    Gen<String> host =
        Generate.oneOf(
            Generate.pick(List.of("127.0.0.1", "::1", "10.0.0.7", "node-3.example")), name(40));
    return host.zip(integers().between(0, 65535), Endpoint::new);
  }

  static Gen<Map<String, String>> metadata() {
    return maps().of(text(0, 12), text(0, 40)).ofSizeBetween(0, 4);
  }

  static Gen<MemberUpdate> updates() {
    Gen<Long> incarnation =
        Generate.oneOf(longs().between(0, 10), longs().between(0, Long.MAX_VALUE));
    return nodeIds()
        .zip(
            endpoints(),
            Generate.enumValues(MemberStatus.class),
            incarnation,
            metadata(),
            MemberUpdate::new);
  }

  static Gen<List<MemberUpdate>> gossip() {
    return lists().of(updates()).ofSizeBetween(0, 6);
  }

  // ---- round trips ----

  static Message roundTrip(Message m) throws Exception {
    byte[] bytes =
        ProtoMapper.setBody(EnvelopeHeaders.newEnvelope("c", SENDER), m).build().toByteArray();
    return ProtoMapper.fromEnvelope(Envelope.parseFrom(bytes));
  }

  static void assertRoundTrips(Message m) {
    try {
      assertThat(roundTrip(m)).isEqualTo(m);
    } catch (Exception e) {
      throw new AssertionError("round trip of " + m + " failed", e);
    }
  }

  @Test
  void ping() {
    qt().withExamples(300)
        .forAll(longs().all(), nodeIds(), nodeIds(), gossip())
        .checkAssert((seq, src, dst, g) -> assertRoundTrips(new Ping(seq, src, dst, g)));
  }

  @Test
  void ack() {
    qt().withExamples(300)
        .forAll(longs().all(), nodeIds(), gossip())
        .checkAssert((seq, src, g) -> assertRoundTrips(new Ack(seq, src, g)));
  }

  @Test
  void pingReq() {
    qt().withExamples(300)
        .forAll(longs().all(), nodeIds(), nodeIds(), endpoints())
        .checkAssert(
            (seq, src, dst, ep) -> assertRoundTrips(new PingReq(seq, src, dst, ep, List.of())));
    qt().withExamples(300)
        .forAll(nodeIds(), endpoints(), gossip())
        .checkAssert(
            (src, ep, g) -> assertRoundTrips(new PingReq(Long.MIN_VALUE, src, src, ep, g)));
  }

  @Test
  void nack() {
    qt().withExamples(300)
        .forAll(longs().all(), nodeIds())
        .checkAssert((seq, src) -> assertRoundTrips(new Nack(seq, src)));
  }

  @Test
  void pushPull() {
    qt().withExamples(300)
        .forAll(
            nodeIds(),
            booleans().all(),
            booleans().all(),
            lists().of(updates()).ofSizeBetween(0, 40))
        .checkAssert(
            (src, join, reply, members) ->
                assertRoundTrips(new PushPull(src, join, reply, members)));
  }

  @Test
  void extremesRoundTrip() throws Exception {
    NodeId id = new NodeId("ñødé-😀", -1L);
    MemberUpdate u =
        new MemberUpdate(
            id,
            new Endpoint("::1", 65535),
            MemberStatus.LEFT,
            Long.MAX_VALUE,
            Map.of("", "", "http", "http://[::1]:8080"));
    assertRoundTrips(new Ack(-1L, id, List.of(u, u)));
    assertRoundTrips(new Ping(0, id, id, List.of()));
  }

  // ---- typed decode errors ----

  static Envelope.Builder header() {
    return EnvelopeHeaders.newEnvelope("c", SENDER);
  }

  @Test
  void emptyBodyIsADecodeError() {
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(header().build()))
        .isInstanceOf(ProtoDecodeException.class)
        .hasMessageContaining("empty or unknown");
  }

  @Test
  void unknownBodyFromANewerSenderIsADecodeError() throws InvalidProtocolBufferException {
    byte[] known = header().build().toByteArray();
    byte[] bytes = new byte[known.length + 3];
    System.arraycopy(known, 0, bytes, 0, known.length);
    // Field 45 (a future replication message), wire type 2, length 0.
    bytes[known.length] = (byte) 0xEA;
    bytes[known.length + 1] = 0x02;
    bytes[known.length + 2] = 0x00;
    Envelope e = Envelope.parseFrom(bytes);
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(e)).isInstanceOf(ProtoDecodeException.class);
  }

  @Test
  void handshakeBodyIsNotAMessage() {
    Envelope e = header().setHello(Hello.newBuilder().setMinVersion(1).setMaxVersion(1)).build();
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(e))
        .isInstanceOf(ProtoDecodeException.class)
        .hasMessageContaining("handshake");
  }

  @Test
  void missingRequiredFieldsAreDecodeErrors() {
    NodeId id = new NodeId("a", 1);
    Envelope noSource =
        header()
            .setPing(
                io.kvstore.net.proto.Ping.newBuilder().setSeq(1).setTarget(ProtoMapper.toProto(id)))
            .build();
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(noSource))
        .isInstanceOf(ProtoDecodeException.class)
        .hasMessageContaining("ping.source");
    Envelope noAddress =
        header()
            .setPingReq(
                io.kvstore.net.proto.PingReq.newBuilder()
                    .setSource(ProtoMapper.toProto(id))
                    .setTarget(ProtoMapper.toProto(id)))
            .build();
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(noAddress))
        .isInstanceOf(ProtoDecodeException.class)
        .hasMessageContaining("target_address");
  }

  @Test
  void invalidValuesAreDecodeErrors() {
    io.kvstore.net.proto.NodeId blank =
        io.kvstore.net.proto.NodeId.newBuilder().setName(" ").setBoot(1).build();
    assertThatThrownBy(
            () ->
                ProtoMapper.fromEnvelope(
                    header()
                        .setNack(io.kvstore.net.proto.Nack.newBuilder().setSource(blank))
                        .build()))
        .isInstanceOf(ProtoDecodeException.class);

    io.kvstore.net.proto.Endpoint badPort =
        io.kvstore.net.proto.Endpoint.newBuilder().setHost("h").setPort(70000).build();
    assertThatThrownBy(() -> ProtoMapper.fromProto(badPort))
        .isInstanceOf(ProtoDecodeException.class);

    io.kvstore.net.proto.MemberUpdate.Builder u =
        io.kvstore.net.proto.MemberUpdate.newBuilder()
            .setId(ProtoMapper.toProto(new NodeId("a", 1)))
            .setAddress(ProtoMapper.toProto(new Endpoint("h", 1)))
            .setStatus(io.kvstore.net.proto.MemberStatus.MEMBER_STATUS_ALIVE);
    // An incarnation above 2^63 - 1 is negative as a Java long: rejected, not wrapped.
    Envelope hugeIncarnation =
        header()
            .setAck(
                io.kvstore.net.proto.Ack.newBuilder()
                    .setSource(ProtoMapper.toProto(new NodeId("a", 1)))
                    .addGossip(u.clone().setIncarnation(-5L)))
            .build();
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(hugeIncarnation))
        .isInstanceOf(ProtoDecodeException.class);
    Envelope unknownStatus =
        header()
            .setAck(
                io.kvstore.net.proto.Ack.newBuilder()
                    .setSource(ProtoMapper.toProto(new NodeId("a", 1)))
                    .addGossip(u.clone().setStatusValue(99)))
            .build();
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(unknownStatus))
        .isInstanceOf(ProtoDecodeException.class)
        .hasMessageContaining("status");
    Envelope unspecifiedStatus =
        header()
            .setAck(
                io.kvstore.net.proto.Ack.newBuilder()
                    .setSource(ProtoMapper.toProto(new NodeId("a", 1)))
                    .addGossip(u.clone().setStatusValue(0)))
            .build();
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(unspecifiedStatus))
        .isInstanceOf(ProtoDecodeException.class);
  }

  @Test
  void messagesWithoutAWireFormAreRejectedOnEncode() {
    Message unknown = new Message() {};
    assertThatThrownBy(() -> ProtoMapper.setBody(header(), unknown))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void versionNegotiationPicksTheHighestCommonVersion() {
    assertThat(ProtocolVersion.negotiate(1, 1)).isEqualTo(1);
    assertThat(ProtocolVersion.negotiate(1, 7)).isEqualTo(ProtocolVersion.MAX_SUPPORTED);
    assertThat(ProtocolVersion.negotiate(2, 3)).isEqualTo(-1);
    assertThat(ProtocolVersion.negotiate(0, 1)).isEqualTo(-1);
    assertThat(ProtocolVersion.negotiate(3, 1)).isEqualTo(-1);
  }
}
