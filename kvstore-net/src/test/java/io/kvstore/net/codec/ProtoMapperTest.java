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
import java.util.Map;
import java.util.TreeSet;
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

  /** Any long, with the extremes (0, ±1, MIN, MAX) drawn often. */
  static Gen<Long> anyLong() {
    return Generate.oneOf(
        longs().all(), Generate.pick(List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE)));
  }

  /** Byte arrays: empty, small, or larger than a datagram. */
  static Gen<byte[]> bytes() {
    Gen<Byte> anyByte = Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0);
    return Generate.oneOf(
        Generate.constant(() -> new byte[0]),
        Generate.byteArrays(integers().between(0, 64), anyByte),
        Generate.byteArrays(integers().between(1_000, 5_000), anyByte));
  }

  /** {@code gen}'s values, or null about a quarter of the time. */
  static <T> Gen<T> nullable(Gen<T> gen) {
    return gen.toOptionals(25).map(o -> o.orElse(null));
  }

  /** Keys: any well-formed text, empty included. */
  static Gen<String> keys() {
    return text(0, 40);
  }

  static Gen<Ballot> ballots() {
    Gen<Long> counter =
        Generate.oneOf(longs().between(1, 5), longs().between(1, Long.MAX_VALUE));
    return Generate.oneOf(Generate.constant(Ballot.ZERO), counter.zip(nodeIds(), Ballot::new));
  }

  static Gen<Cell> cells() {
    return nullable(bytes()).zip(anyLong(), anyLong(), anyLong(), Cell::new);
  }

  /** Non-negative longs, with 0, 1 and MAX drawn often: epochs, versions. */
  static Gen<Long> nonNegativeLong() {
    return Generate.oneOf(
        longs().between(0, Long.MAX_VALUE), Generate.pick(List.of(0L, 1L, Long.MAX_VALUE)));
  }

  /** Epochs of configurations and catch-up: at least 1. */
  static Gen<Long> positiveEpochs() {
    return Generate.oneOf(
        longs().between(1, 5),
        longs().between(1, Long.MAX_VALUE),
        Generate.constant(Long.MAX_VALUE));
  }

  /** Non-negative ints, with 0, 1 and MAX drawn often: partitions, offsets, counts. */
  static Gen<Integer> nonNegativeInt() {
    return Generate.oneOf(
        integers().between(0, 300),
        integers().between(0, Integer.MAX_VALUE),
        Generate.pick(List.of(0, 1, Integer.MAX_VALUE)));
  }

  static Gen<Prepare> prepares() {
    return in ->
        new Prepare(
            anyLong().generate(in),
            nodeIds().generate(in),
            nodeIds().generate(in),
            keys().generate(in),
            ballots().generate(in),
            nonNegativeLong().generate(in));
  }

  static Gen<Promise> promises() {
    return in ->
        new Promise(
            anyLong().generate(in),
            nodeIds().generate(in),
            keys().generate(in),
            booleans().all().generate(in),
            ballots().generate(in),
            ballots().generate(in),
            nullable(cells()).generate(in),
            longs().between(0, Long.MAX_VALUE).generate(in));
  }

  static Gen<Purge> purges() {
    return in ->
        new Purge(
            nodeIds().generate(in),
            nodeIds().generate(in),
            keys().generate(in),
            ballots().generate(in),
            nonNegativeLong().generate(in));
  }

  static Gen<Accept> accepts() {
    return in ->
        new Accept(
            anyLong().generate(in),
            nodeIds().generate(in),
            nodeIds().generate(in),
            keys().generate(in),
            ballots().generate(in),
            cells().generate(in),
            nullable(ballots()).generate(in),
            nonNegativeLong().generate(in),
            nullable(answers()).generate(in));
  }

  static Gen<Accept.Answer> answers() {
    return in ->
        new Accept.Answer(
            anyLong().generate(in), booleans().all().generate(in), nonNegativeLong().generate(in));
  }

  static Gen<Accepted> accepteds() {
    return in ->
        new Accepted(
            anyLong().generate(in),
            nodeIds().generate(in),
            keys().generate(in),
            booleans().all().generate(in),
            ballots().generate(in),
            booleans().all().generate(in));
  }

  static Gen<Read> reads() {
    return in ->
        new Read(
            anyLong().generate(in),
            nodeIds().generate(in),
            nodeIds().generate(in),
            keys().generate(in),
            nonNegativeLong().generate(in));
  }

  static Gen<ReadReply> readReplies() {
    return in ->
        new ReadReply(
            anyLong().generate(in),
            nodeIds().generate(in),
            keys().generate(in),
            ballots().generate(in),
            nullable(cells()).generate(in));
  }

  static Gen<ClientRequest> clientRequests() {
    return in ->
        new ClientRequest(
            anyLong().generate(in),
            nodeIds().generate(in),
            nodeIds().generate(in),
            keys().generate(in),
            Generate.enumValues(ClientRequest.Kind.class).generate(in),
            nullable(bytes()).generate(in),
            anyLong().generate(in),
            anyLong().generate(in),
            anyLong().generate(in));
  }

  static Gen<ClientReply> clientReplies() {
    return in ->
        new ClientReply(
            anyLong().generate(in),
            nodeIds().generate(in),
            Generate.enumValues(ClientReply.Status.class).generate(in),
            booleans().all().generate(in),
            anyLong().generate(in),
            nullable(bytes()).generate(in),
            text(0, 60).generate(in));
  }

  static Gen<ConfigAnnounce> configAnnouncements() {
    return in -> {
      List<NodeId> previous = lists().of(nodeIds()).ofSizeBetween(0, 9).generate(in);
      return new ConfigAnnounce(
          nodeIds().generate(in),
          anyLong().generate(in),
          positiveEpochs().generate(in),
          lists().of(nodeIds()).ofSizeBetween(1, 9).generate(in),
          previous,
          integers().between(1, 7).generate(in),
          Generate.oneOf(integers().between(1, 4096), integers().between(1, Integer.MAX_VALUE))
              .generate(in),
          !previous.isEmpty() && integers().between(0, 1).generate(in) == 1);
    };
  }

  static Gen<SnapshotRequest> snapshotRequests() {
    return in ->
        new SnapshotRequest(
            nodeIds().generate(in),
            nodeIds().generate(in),
            positiveEpochs().generate(in),
            nonNegativeInt().generate(in),
            nonNegativeInt().generate(in),
            nonNegativeInt().generate(in));
  }

  static Gen<SnapshotChunk.Entry> snapshotEntries() {
    return keys().zip(ballots(), cells(), SnapshotChunk.Entry::new);
  }

  static Gen<SnapshotChunk.Floor> snapshotFloors() {
    return nonNegativeInt().zip(ballots(), nonNegativeLong(), SnapshotChunk.Floor::new);
  }

  static Gen<SnapshotChunk> snapshotChunks() {
    return in ->
        new SnapshotChunk(
            nodeIds().generate(in),
            nodeIds().generate(in),
            positiveEpochs().generate(in),
            nonNegativeInt().generate(in),
            nonNegativeInt().generate(in),
            nonNegativeInt().generate(in),
            Generate.enumValues(SnapshotChunk.Status.class).generate(in),
            lists().of(snapshotEntries()).ofSizeBetween(0, 8).generate(in),
            lists().of(snapshotFloors()).ofSizeBetween(0, 8).generate(in),
            booleans().all().generate(in));
  }

  static Gen<CatchUpStatus> catchUpStatuses() {
    return in ->
        new CatchUpStatus(
            nodeIds().generate(in),
            positiveEpochs().generate(in),
            // Strictly ascending, as a reporter sends them.
            new ArrayList<>(
                new TreeSet<>(lists().of(nonNegativeInt()).ofSizeBetween(0, 40).generate(in))),
            nonNegativeInt().generate(in));
  }

  // ---- round trips ----

  static Message roundTrip(Message m) throws Exception {
    byte[] bytes =
        ProtoMapper.setBody(EnvelopeHeaders.newEnvelope("c", SENDER), m).build().toByteArray();
    return ProtoMapper.fromEnvelope(Envelope.parseFrom(bytes));
  }

  static void assertRoundTrips(Message m) {
    Message back;
    try {
      back = roundTrip(m);
    } catch (Exception e) {
      throw new AssertionError("round trip of " + m + " failed", e);
    }
    assertSameMessage(back, m);
  }

  /**
   * Equality of messages, with byte arrays compared by content (null and empty differ): records
   * holding a {@code byte[]} directly do not define it so.
   */
  static void assertSameMessage(Message actual, Message expected) {
    if (expected instanceof ClientRequest || expected instanceof ClientReply) {
      assertThat(actual)
          .usingRecursiveComparison()
          .withStrictTypeChecking()
          .isEqualTo(expected);
    } else {
      assertThat(actual).isEqualTo(expected);
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
  void prepare() {
    qt().withExamples(300).forAll(prepares()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void purge() {
    qt().withExamples(300).forAll(purges()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void promise() {
    qt().withExamples(300).forAll(promises()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void accept() {
    qt().withExamples(300).forAll(accepts()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void accepted() {
    qt().withExamples(300).forAll(accepteds()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void read() {
    qt().withExamples(300).forAll(reads()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void readReply() {
    qt().withExamples(300).forAll(readReplies()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void clientRequest() {
    qt().withExamples(300)
        .forAll(clientRequests())
        .checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void clientReply() {
    qt().withExamples(300).forAll(clientReplies()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void configAnnounce() {
    qt().withExamples(300)
        .forAll(configAnnouncements())
        .checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void snapshotRequest() {
    qt().withExamples(300)
        .forAll(snapshotRequests())
        .checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void snapshotChunk() {
    qt().withExamples(300).forAll(snapshotChunks()).checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void catchUpStatus() {
    qt().withExamples(300)
        .forAll(catchUpStatuses())
        .checkAssert(ProtoMapperTest::assertRoundTrips);
  }

  @Test
  void theZeroBallotComesBackAsTheZeroBallot() throws Exception {
    NodeId a = new NodeId("a", 1);
    Promise p = (Promise) roundTrip(new Promise(1, a, "k", true, Ballot.ZERO, Ballot.ZERO, null));
    assertThat(p.promised()).isSameAs(Ballot.ZERO);
    assertThat(p.accepted().node()).isNull();
    assertThat(p.accepted().counter()).isZero();
    Ballot b = new Ballot(Long.MAX_VALUE, a);
    Accept acc =
        (Accept) roundTrip(new Accept(2, a, a, "", b, new Cell(null, 0, 0, 0), Ballot.ZERO, 0));
    assertThat(acc.ballot()).isEqualTo(b);
    assertThat(acc.nextPromise()).isSameAs(Ballot.ZERO);
  }

  @Test
  void nullAndEmptyStayDistinct() throws Exception {
    NodeId a = new NodeId("a", 1);
    Ballot b = new Ballot(3, a);
    Cell tombstone = new Cell(null, 7, 0, 9);
    Cell empty = new Cell(new byte[0], 7, 0, 9);

    ReadReply none = (ReadReply) roundTrip(new ReadReply(1, a, "k", Ballot.ZERO, null));
    assertThat(none.cell()).isNull();
    ReadReply dead = (ReadReply) roundTrip(new ReadReply(1, a, "k", b, tombstone));
    assertThat(dead.cell()).isNotNull();
    assertThat(dead.cell().value()).isNull();
    Promise live = (Promise) roundTrip(new Promise(1, a, "k", true, b, b, empty));
    assertThat(live.cell().value()).isNotNull().isEmpty();

    Accept noNext = (Accept) roundTrip(new Accept(1, a, a, "k", b, empty, null, 1));
    assertThat(noNext.nextPromise()).isNull();
    assertThat(noNext.answer()).isNull();
    Accept withAnswer =
        (Accept) roundTrip(new Accept(1, a, a, "k", b, empty, null, 1, new Accept.Answer(-5, true, 8)));
    assertThat(withAnswer.answer()).isEqualTo(new Accept.Answer(-5, true, 8));
    assertThat(noNext.cell().value()).isNotNull().isEmpty();

    ClientRequest.Kind get = ClientRequest.Kind.GET;
    ClientRequest noValue =
        (ClientRequest) roundTrip(new ClientRequest(1, a, a, "k", get, null, 0, 0, 1));
    assertThat(noValue.value()).isNull();
    ClientRequest emptyValue =
        (ClientRequest) roundTrip(new ClientRequest(1, a, a, "k", get, new byte[0], 0, 0, 1));
    assertThat(emptyValue.value()).isNotNull().isEmpty();

    ClientReply.Status done = ClientReply.Status.DONE;
    ClientReply noRead = (ClientReply) roundTrip(new ClientReply(1, a, done, true, 2, null, ""));
    assertThat(noRead.value()).isNull();
    ClientReply emptyRead =
        (ClientReply) roundTrip(new ClientReply(1, a, done, true, 2, new byte[0], ""));
    assertThat(emptyRead.value()).isNotNull().isEmpty();
  }

  @Test
  void aNullReasonIsSentAsTheEmptyOne() throws Exception {
    ClientReply r =
        new ClientReply(1, new NodeId("a", 1), ClientReply.Status.DONE, true, 1, null, null);
    assertThat(((ClientReply) roundTrip(r)).reason()).isEmpty();
  }

  @Test
  void byteArraysAreNeverSharedWithProtobuf() throws Exception {
    NodeId a = new NodeId("a", 1);
    byte[] value = {1, 2, 3};
    Accept sent = new Accept(1, a, a, "k", new Ballot(1, a), new Cell(value, 1, 0, 1), null, 1);
    byte[] request = {4, 5, 6};
    ClientRequest req =
        new ClientRequest(1, a, a, "k", ClientRequest.Kind.PUT, request, 0, 0, 1);
    Envelope accept = ProtoMapper.setBody(header(), sent).build();
    Envelope put = ProtoMapper.setBody(header(), req).build();
    // Mutating the records' arrays after encoding does not change what was encoded...
    value[0] = 42;
    request[0] = 42;
    Accept first = (Accept) ProtoMapper.fromEnvelope(accept);
    ClientRequest firstReq = (ClientRequest) ProtoMapper.fromEnvelope(put);
    assertThat(first.cell().value()).containsExactly(1, 2, 3);
    assertThat(firstReq.value()).containsExactly(4, 5, 6);
    // ...and mutating a decoded array does not change the envelope it came from.
    first.cell().value()[1] = 42;
    firstReq.value()[1] = 42;
    assertThat(((Accept) ProtoMapper.fromEnvelope(accept)).cell().value()).containsExactly(1, 2, 3);
    assertThat(((ClientRequest) ProtoMapper.fromEnvelope(put)).value()).containsExactly(4, 5, 6);
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

  private static io.kvstore.net.proto.NodeId id(String name) {
    return ProtoMapper.toProto(new NodeId(name, 1));
  }

  private static io.kvstore.net.proto.Ballot.Builder ballot(long counter) {
    return io.kvstore.net.proto.Ballot.newBuilder().setCounter(counter).setNode(id("p"));
  }

  private static void assertDecodeError(Envelope.Builder e, String messagePart) {
    assertThatThrownBy(() -> ProtoMapper.fromEnvelope(e.build()))
        .isInstanceOf(ProtoDecodeException.class)
        .hasMessageContaining(messagePart);
  }

  @Test
  void invalidBallotsAreDecodeErrors() {
    io.kvstore.net.proto.Prepare.Builder p =
        io.kvstore.net.proto.Prepare.newBuilder()
            .setRoundId(1)
            .setSource(id("a"))
            .setTarget(id("b"))
            .setKey("k");
    // A counter above 2^63 - 1 is negative as a Java long.
    assertDecodeError(header().setPrepare(p.clone().setBallot(ballot(-1L))), "out of range");
    assertDecodeError(
        header().setPrepare(p.clone().setBallot(ballot(Long.MIN_VALUE))), "out of range");
    assertDecodeError(header().setPrepare(p.clone().setBallot(ballot(0))), "zero ballot");
    assertDecodeError(
        header().setPrepare(p.clone().setBallot(ballot(5).clearNode())), "needs a node");
    assertDecodeError(header().setPrepare(p.clone()), "prepare.ballot");
    io.kvstore.net.proto.NodeId blank =
        io.kvstore.net.proto.NodeId.newBuilder().setName("").setBoot(1).build();
    assertDecodeError(
        header().setPrepare(p.clone().setBallot(ballot(5).setNode(blank))), "node id");
    // The same checks apply to an optional ballot when present.
    io.kvstore.net.proto.Accept.Builder a =
        io.kvstore.net.proto.Accept.newBuilder()
            .setSource(id("a"))
            .setTarget(id("b"))
            .setBallot(ballot(1))
            .setCell(io.kvstore.net.proto.Cell.getDefaultInstance());
    assertThat(catchDecode(header().setAccept(a.clone()))).isNull();
    assertDecodeError(
        header().setAccept(a.clone().setNextPromise(ballot(0))), "accept.next_promise");
  }

  private static ProtoDecodeException catchDecode(Envelope.Builder e) {
    try {
      ProtoMapper.fromEnvelope(e.build());
      return null;
    } catch (ProtoDecodeException ex) {
      return ex;
    }
  }

  @Test
  void missingRequiredReplicationFieldsAreDecodeErrors() {
    io.kvstore.net.proto.Ballot.Builder b = ballot(1);
    io.kvstore.net.proto.Cell cell = io.kvstore.net.proto.Cell.getDefaultInstance();
    assertDecodeError(
        header()
            .setPrepare(
                io.kvstore.net.proto.Prepare.newBuilder().setSource(id("a")).setBallot(b)),
        "prepare.target");
    assertDecodeError(
        header()
            .setPromise(
                io.kvstore.net.proto.Promise.newBuilder().setSource(id("a")).setPromised(b)),
        "promise.accepted");
    assertDecodeError(
        header()
            .setAccept(
                io.kvstore.net.proto.Accept.newBuilder()
                    .setSource(id("a"))
                    .setTarget(id("b"))
                    .setBallot(b)),
        "accept.cell");
    assertDecodeError(
        header().setAccepted(io.kvstore.net.proto.Accepted.newBuilder().setPromised(b)),
        "accepted.source");
    assertDecodeError(
        header().setRead(io.kvstore.net.proto.Read.newBuilder().setSource(id("a"))),
        "read.target");
    assertDecodeError(
        header()
            .setReadReply(
                io.kvstore.net.proto.ReadReply.newBuilder().setSource(id("a")).setCell(cell)),
        "read_reply.accepted");
    assertDecodeError(
        header()
            .setClientRequest(
                io.kvstore.net.proto.ClientRequest.newBuilder()
                    .setTarget(id("b"))
                    .setKind(io.kvstore.net.proto.ClientOperation.CLIENT_OPERATION_GET)),
        "client_request.source");
    assertDecodeError(
        header()
            .setClientReply(
                io.kvstore.net.proto.ClientReply.newBuilder()
                    .setStatus(io.kvstore.net.proto.ClientStatus.CLIENT_STATUS_DONE)),
        "client_reply.source");
    assertDecodeError(
        header()
            .setConfigAnnounce(
                io.kvstore.net.proto.ConfigAnnounce.newBuilder()
                    .setEpoch(1)
                    .addMembers(id("a"))
                    .setReplicationFactor(1)
                    .setPartitions(1)),
        "config_announce.source");
  }

  @Test
  void unknownReplicationEnumValuesAreDecodeErrors() {
    io.kvstore.net.proto.ClientRequest.Builder req =
        io.kvstore.net.proto.ClientRequest.newBuilder().setSource(id("a")).setTarget(id("b"));
    assertDecodeError(header().setClientRequest(req.clone().setKindValue(0)), "kind");
    assertDecodeError(header().setClientRequest(req.clone().setKindValue(99)), "kind");
    io.kvstore.net.proto.ClientReply.Builder reply =
        io.kvstore.net.proto.ClientReply.newBuilder().setSource(id("a"));
    assertDecodeError(header().setClientReply(reply.clone().setStatusValue(0)), "status");
    assertDecodeError(header().setClientReply(reply.clone().setStatusValue(-3)), "status");
  }

  @Test
  void impossibleConfigurationsAreDecodeErrors() {
    io.kvstore.net.proto.ConfigAnnounce.Builder ok =
        io.kvstore.net.proto.ConfigAnnounce.newBuilder()
            .setSource(id("a"))
            .setEpoch(1)
            .addMembers(id("a"))
            .setReplicationFactor(1)
            .setPartitions(1);
    assertThat(catchDecode(header().setConfigAnnounce(ok.clone()))).isNull();
    assertDecodeError(header().setConfigAnnounce(ok.clone().setEpoch(0)), "epoch");
    // Only the whole empty form of epoch 0 (a node waiting to be added) is valid.
    assertDecodeError(header().setConfigAnnounce(ok.clone().setEpoch(0).clearMembers()), "epoch");
    assertDecodeError(
        header().setConfigAnnounce(ok.clone().setEpoch(0).clearMembers().setReplicationFactor(0)),
        "epoch");
    assertDecodeError(header().setConfigAnnounce(ok.clone().setEpoch(-1L)), "epoch");
    assertDecodeError(header().setConfigAnnounce(ok.clone().clearMembers()), "no members");
    assertDecodeError(
        header().setConfigAnnounce(ok.clone().setReplicationFactor(0)), "replication factor");
    // A uint32 above 2^31 - 1 is negative as a Java int.
    assertDecodeError(
        header().setConfigAnnounce(ok.clone().setPartitions(0x8000_0000)), "partition count");
    assertDecodeError(
        header()
            .setConfigAnnounce(
                ok.clone()
                    .addMembers(io.kvstore.net.proto.NodeId.newBuilder().setName(" ").setBoot(2))),
        "node id");
    assertThatThrownBy(
            () ->
                ProtoMapper.setBody(
                    header(),
                    new ConfigAnnounce(new NodeId("a", 1), 7, 1, List.of(), List.of(), 1, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- epochs, reconfiguration and catch-up ----

  @Test
  void epochsRoundTripAtTheirExtremes() {
    NodeId a = new NodeId("a", 1);
    Ballot b = new Ballot(1, a);
    Cell cell = new Cell(new byte[] {1}, 1, 0, 1);
    for (long epoch : new long[] {0, 1, Long.MAX_VALUE}) {
      assertRoundTrips(new Prepare(1, a, a, "k", b, epoch));
      assertRoundTrips(new Accept(1, a, a, "k", b, cell, null, epoch));
      assertRoundTrips(new Read(1, a, a, "k", epoch));
      assertRoundTrips(new Purge(a, a, "k", b, epoch));
    }
  }

  @Test
  void anAbsentEpochReadsAsZero() throws Exception {
    // A sender that predates reconfiguration does not write the field.
    Envelope read =
        header()
            .setRead(
                io.kvstore.net.proto.Read.newBuilder()
                    .setRoundId(3)
                    .setSource(id("a"))
                    .setTarget(id("b"))
                    .setKey("k"))
            .build();
    assertThat(((Read) ProtoMapper.fromEnvelope(read)).epoch()).isZero();
    Envelope purge =
        header()
            .setPurge(
                io.kvstore.net.proto.Purge.newBuilder()
                    .setSource(id("a"))
                    .setTarget(id("b"))
                    .setBallot(ballot(2)))
            .build();
    assertThat(((Purge) ProtoMapper.fromEnvelope(purge)).epoch()).isZero();
  }

  @Test
  void epochsAboveTheSignedMaximumAreDecodeErrors() {
    io.kvstore.net.proto.Prepare.Builder prepare =
        io.kvstore.net.proto.Prepare.newBuilder()
            .setSource(id("a"))
            .setTarget(id("b"))
            .setBallot(ballot(1));
    assertDecodeError(header().setPrepare(prepare.clone().setEpoch(-1L)), "prepare.epoch");
    assertDecodeError(
        header().setPrepare(prepare.clone().setEpoch(Long.MIN_VALUE)), "prepare.epoch");
    io.kvstore.net.proto.Accept.Builder accept =
        io.kvstore.net.proto.Accept.newBuilder()
            .setSource(id("a"))
            .setTarget(id("b"))
            .setBallot(ballot(1))
            .setCell(io.kvstore.net.proto.Cell.getDefaultInstance());
    assertDecodeError(header().setAccept(accept.clone().setEpoch(-7L)), "accept.epoch");
    io.kvstore.net.proto.Read.Builder read =
        io.kvstore.net.proto.Read.newBuilder().setSource(id("a")).setTarget(id("b"));
    assertDecodeError(header().setRead(read.clone().setEpoch(-1L)), "read.epoch");
    io.kvstore.net.proto.Purge.Builder purge =
        io.kvstore.net.proto.Purge.newBuilder()
            .setSource(id("a"))
            .setTarget(id("b"))
            .setBallot(ballot(1));
    assertDecodeError(header().setPurge(purge.clone().setEpoch(-1L)), "purge.epoch");
    // And a negative epoch is refused on encode.
    NodeId a = new NodeId("a", 1);
    assertThatThrownBy(
            () -> ProtoMapper.setBody(header(), new Read(1, a, a, "k", -1L)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void equalIdentitiesDecodeToOneObjectAndOthersNeverToIt() throws Exception {
    NodeId a = ProtoMapper.fromProto(ProtoMapper.toProto(new NodeId("a", 77)));
    assertThat(ProtoMapper.fromProto(ProtoMapper.toProto(new NodeId("a", 77)))).isSameAs(a);
    // Same boot id (the cache's slot), another name; and the same name under another boot.
    NodeId b = ProtoMapper.fromProto(ProtoMapper.toProto(new NodeId("b", 77)));
    assertThat(b.name()).isEqualTo("b");
    assertThat(b.boot()).isEqualTo(77);
    NodeId a2 = ProtoMapper.fromProto(ProtoMapper.toProto(new NodeId("a", 77 + 256)));
    assertThat(a2.boot()).isEqualTo(77 + 256);
    assertThat(ProtoMapper.fromProto(ProtoMapper.toProto(new NodeId("a", 77)))).isEqualTo(a);
    assertThat(ProtoMapper.toProto(new NodeId("b", 77)).getName()).isEqualTo("b");
    assertThat(ProtoMapper.toProto(new NodeId("a", 77)).getName()).isEqualTo("a");
  }

  @Test
  void configAnnounceCarriesLineageAndPreviousMembers() throws Exception {
    NodeId a = new NodeId("a", 1);
    NodeId b = new NodeId("b", 2);
    for (long lineage : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
      ConfigAnnounce joint =
          new ConfigAnnounce(a, lineage, Long.MAX_VALUE, List.of(a, b), List.of(a), 7, 65536);
      ConfigAnnounce back = (ConfigAnnounce) roundTrip(joint);
      assertThat(back).isEqualTo(joint);
      assertThat(back.lineage()).isEqualTo(lineage);
      assertThat(back.previous()).containsExactly(a);
    }
    ConfigAnnounce stable = new ConfigAnnounce(a, 9, 1, List.of(a), List.of(), 1, 1);
    assertThat(((ConfigAnnounce) roundTrip(stable)).previous()).isEmpty();
    ConfigAnnounce waiting = (ConfigAnnounce) roundTrip(ConfigAnnounce.waiting(b));
    assertThat(waiting.isWaiting()).isTrue();
    assertThat(waiting.source()).isEqualTo(b);
    assertThat(stable.isWaiting()).isFalse();
    // A sender that predates reconfiguration writes neither field.
    Envelope old =
        header()
            .setConfigAnnounce(
                io.kvstore.net.proto.ConfigAnnounce.newBuilder()
                    .setSource(id("a"))
                    .setEpoch(1)
                    .addMembers(id("a"))
                    .setReplicationFactor(1)
                    .setPartitions(1))
            .build();
    ConfigAnnounce decoded = (ConfigAnnounce) ProtoMapper.fromEnvelope(old);
    assertThat(decoded.lineage()).isZero();
    assertThat(decoded.previous()).isEmpty();
    assertThat(decoded.forced()).isFalse();
  }

  @Test
  void aForcedConfigurationRoundTripsAndNeedsPreviousMembers() throws Exception {
    NodeId a = new NodeId("a", 1);
    NodeId b = new NodeId("b", 2);
    ConfigAnnounce forced = new ConfigAnnounce(a, 5, 3, List.of(a), List.of(a, b), 3, 64, true);
    ConfigAnnounce back = (ConfigAnnounce) roundTrip(forced);
    assertThat(back).isEqualTo(forced);
    assertThat(back.forced()).isTrue();
    assertThat(((ConfigAnnounce) roundTrip(new ConfigAnnounce(a, 5, 3, List.of(a), List.of(a, b), 3, 64)))
        .forced()).isFalse();
    assertThatThrownBy(
            () -> roundTrip(new ConfigAnnounce(a, 5, 3, List.of(a), List.of(), 3, 64, true)))
        .isInstanceOf(IllegalArgumentException.class);
    assertDecodeError(
        header()
            .setConfigAnnounce(
                io.kvstore.net.proto.ConfigAnnounce.newBuilder()
                    .setSource(id("a"))
                    .setEpoch(2)
                    .addMembers(id("a"))
                    .setReplicationFactor(1)
                    .setPartitions(1)
                    .setForced(true)),
        "forced");
  }

  @Test
  void invalidConfigurationMemberListsAreDecodeErrors() {
    io.kvstore.net.proto.ConfigAnnounce.Builder ok =
        io.kvstore.net.proto.ConfigAnnounce.newBuilder()
            .setSource(id("a"))
            .setEpoch(2)
            .addMembers(id("a"))
            .setReplicationFactor(1)
            .setPartitions(1);
    assertDecodeError(
        header()
            .setConfigAnnounce(
                ok.clone()
                    .addPrevious(id("a"))
                    .addPrevious(
                        io.kvstore.net.proto.NodeId.newBuilder().setName("").setBoot(3))),
        "node id");
    io.kvstore.net.proto.ConfigAnnounce.Builder manyMembers = ok.clone();
    io.kvstore.net.proto.ConfigAnnounce.Builder manyPrevious = ok.clone();
    for (int i = 0; i < ProtoMapper.MAX_MEMBERS; i++) {
      manyMembers.addMembers(id("m" + i));
      manyPrevious.addPrevious(id("m" + i));
    }
    // MAX_MEMBERS previous members are fine; one more member or previous member is not.
    assertThat(catchDecode(header().setConfigAnnounce(manyPrevious.clone()))).isNull();
    assertDecodeError(header().setConfigAnnounce(manyMembers), "members");
    assertDecodeError(
        header().setConfigAnnounce(manyPrevious.addPrevious(id("one-more"))), "previous");
  }

  @Test
  void snapshotChunkExtremesRoundTrip() throws Exception {
    NodeId a = new NodeId("ñødé-😀", Long.MIN_VALUE);
    NodeId b = new NodeId("b", -1L);
    Ballot max = new Ballot(Long.MAX_VALUE, a);
    Cell tombstone = new Cell(null, Long.MAX_VALUE, 0, Long.MIN_VALUE);
    Cell empty = new Cell(new byte[0], 0, Long.MIN_VALUE, 0);
    Cell live = new Cell(new byte[] {0, -1, 127}, 1, Long.MAX_VALUE, -1);
    SnapshotChunk chunk =
        new SnapshotChunk(
            a,
            b,
            Long.MAX_VALUE,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE,
            SnapshotChunk.Status.OK,
            List.of(
                new SnapshotChunk.Entry("", Ballot.ZERO, tombstone),
                new SnapshotChunk.Entry("k", max, empty),
                new SnapshotChunk.Entry("\u0000kvstore/config", max, live)),
            List.of(
                new SnapshotChunk.Floor(0, Ballot.ZERO, 0),
                new SnapshotChunk.Floor(Integer.MAX_VALUE, max, Long.MAX_VALUE)),
            true);
    SnapshotChunk back = (SnapshotChunk) roundTrip(chunk);
    assertThat(back).isEqualTo(chunk);
    assertThat(back.entries().get(0).cell().value()).isNull();
    assertThat(back.entries().get(0).accepted()).isSameAs(Ballot.ZERO);
    assertThat(back.entries().get(1).cell().value()).isNotNull().isEmpty();
    assertThat(back.floors().get(0).ballot()).isSameAs(Ballot.ZERO);
    for (SnapshotChunk.Status status : SnapshotChunk.Status.values()) {
      SnapshotChunk bare = new SnapshotChunk(a, b, 1, 0, 0, 0, status, List.of(), List.of(), false);
      SnapshotChunk bareBack = (SnapshotChunk) roundTrip(bare);
      assertThat(bareBack).isEqualTo(bare);
      assertThat(bareBack.entries()).isEmpty();
      assertThat(bareBack.floors()).isEmpty();
    }
    assertRoundTrips(new SnapshotRequest(a, b, 1, 0, 0, 0));
    assertRoundTrips(
        new SnapshotRequest(
            a, b, Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));
    assertRoundTrips(new CatchUpStatus(a, 1, List.of(), 0));
    assertRoundTrips(
        new CatchUpStatus(a, Long.MAX_VALUE, List.of(0, Integer.MAX_VALUE), Integer.MAX_VALUE));
  }

  @Test
  void snapshotValuesAreNeverSharedWithProtobuf() throws Exception {
    NodeId a = new NodeId("a", 1);
    byte[] value = {1, 2, 3};
    SnapshotChunk sent =
        new SnapshotChunk(
            a,
            a,
            2,
            0,
            0,
            1,
            SnapshotChunk.Status.OK,
            List.of(new SnapshotChunk.Entry("k", new Ballot(1, a), new Cell(value, 1, 0, 1))),
            List.of(),
            true);
    Envelope e = ProtoMapper.setBody(header(), sent).build();
    value[0] = 42;
    SnapshotChunk first = (SnapshotChunk) ProtoMapper.fromEnvelope(e);
    assertThat(first.entries().get(0).cell().value()).containsExactly(1, 2, 3);
    first.entries().get(0).cell().value()[1] = 42;
    assertThat(((SnapshotChunk) ProtoMapper.fromEnvelope(e)).entries().get(0).cell().value())
        .containsExactly(1, 2, 3);
  }

  private static io.kvstore.net.proto.SnapshotRequest.Builder okRequest() {
    return io.kvstore.net.proto.SnapshotRequest.newBuilder()
        .setSource(id("a"))
        .setTarget(id("b"))
        .setEpoch(2)
        .setPartition(3)
        .setOffset(4)
        .setMaxEntries(512);
  }

  @Test
  void invalidSnapshotRequestsAreDecodeErrors() {
    assertThat(catchDecode(header().setSnapshotRequest(okRequest()))).isNull();
    assertDecodeError(
        header().setSnapshotRequest(okRequest().clearSource()), "snapshot_request.source");
    assertDecodeError(
        header().setSnapshotRequest(okRequest().clearTarget()), "snapshot_request.target");
    assertDecodeError(
        header().setSnapshotRequest(okRequest().setEpoch(0)), "snapshot_request.epoch");
    assertDecodeError(
        header().setSnapshotRequest(okRequest().setEpoch(-1L)), "snapshot_request.epoch");
    // A uint32 above 2^31 - 1 is negative as a Java int.
    assertDecodeError(
        header().setSnapshotRequest(okRequest().setPartition(0x8000_0000)),
        "snapshot_request.partition");
    assertDecodeError(
        header().setSnapshotRequest(okRequest().setOffset(-1)), "snapshot_request.offset");
    assertDecodeError(
        header().setSnapshotRequest(okRequest().setMaxEntries(-1)),
        "snapshot_request.max_entries");
    assertDecodeError(
        header()
            .setSnapshotRequest(
                okRequest()
                    .setTarget(io.kvstore.net.proto.NodeId.newBuilder().setName(" ").setBoot(1))),
        "node id");
  }

  private static io.kvstore.net.proto.SnapshotEntry.Builder okEntry() {
    return io.kvstore.net.proto.SnapshotEntry.newBuilder()
        .setKey("k")
        .setAccepted(ballot(3))
        .setCell(io.kvstore.net.proto.Cell.newBuilder().setVersion(1));
  }

  private static io.kvstore.net.proto.SnapshotFloor.Builder okFloor() {
    return io.kvstore.net.proto.SnapshotFloor.newBuilder()
        .setBucket(5)
        .setBallot(ballot(2))
        .setVersion(9);
  }

  private static io.kvstore.net.proto.SnapshotChunk.Builder okChunk() {
    return io.kvstore.net.proto.SnapshotChunk.newBuilder()
        .setSource(id("a"))
        .setTarget(id("b"))
        .setEpoch(2)
        .setPartition(3)
        .setOffset(0)
        .setNextOffset(1)
        .setStatus(io.kvstore.net.proto.SnapshotStatus.SNAPSHOT_STATUS_OK)
        .addEntries(okEntry())
        .addFloors(okFloor())
        .setLast(true);
  }

  @Test
  void invalidSnapshotChunksAreDecodeErrors() {
    assertThat(catchDecode(header().setSnapshotChunk(okChunk()))).isNull();
    assertDecodeError(header().setSnapshotChunk(okChunk().clearSource()), "snapshot_chunk.source");
    assertDecodeError(header().setSnapshotChunk(okChunk().clearTarget()), "snapshot_chunk.target");
    assertDecodeError(header().setSnapshotChunk(okChunk().setEpoch(0)), "snapshot_chunk.epoch");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().setEpoch(Long.MIN_VALUE)), "snapshot_chunk.epoch");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().setPartition(-1)), "snapshot_chunk.partition");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().setOffset(0x8000_0000)), "snapshot_chunk.offset");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().setNextOffset(-5)), "snapshot_chunk.next_offset");
    assertDecodeError(header().setSnapshotChunk(okChunk().setStatusValue(0)), "snapshot status");
    assertDecodeError(header().setSnapshotChunk(okChunk().setStatusValue(99)), "snapshot status");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().addEntries(okEntry().clearAccepted())),
        "snapshot_chunk.entries.accepted");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().addEntries(okEntry().clearCell())),
        "snapshot_chunk.entries.cell");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().addEntries(okEntry().setAccepted(ballot(0)))),
        "zero ballot");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().addEntries(okEntry().setAccepted(ballot(-2L)))),
        "out of range");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().addFloors(okFloor().clearBallot())),
        "snapshot_chunk.floors.ballot");
    assertDecodeError(
        header()
            .setSnapshotChunk(okChunk().addFloors(okFloor().setBallot(ballot(4).clearNode()))),
        "needs a node");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().addFloors(okFloor().setBucket(0x8000_0000))),
        "snapshot_chunk.floors.bucket");
    assertDecodeError(
        header().setSnapshotChunk(okChunk().addFloors(okFloor().setVersion(-1L))),
        "snapshot_chunk.floors.version");
  }

  @Test
  void snapshotChunkListsAreBounded() {
    io.kvstore.net.proto.SnapshotChunk.Builder entries = okChunk().clearEntries().clearFloors();
    io.kvstore.net.proto.SnapshotChunk.Builder floors = okChunk().clearEntries().clearFloors();
    io.kvstore.net.proto.SnapshotEntry entry = okEntry().build();
    io.kvstore.net.proto.SnapshotFloor floor = okFloor().build();
    for (int i = 0; i < ProtoMapper.MAX_SNAPSHOT_ENTRIES; i++) {
      entries.addEntries(entry);
    }
    for (int i = 0; i < ProtoMapper.MAX_SNAPSHOT_FLOORS; i++) {
      floors.addFloors(floor);
    }
    assertThat(catchDecode(header().setSnapshotChunk(entries.clone()))).isNull();
    assertThat(catchDecode(header().setSnapshotChunk(floors.clone()))).isNull();
    assertDecodeError(
        header().setSnapshotChunk(entries.addEntries(entry)), "snapshot_chunk.entries");
    assertDecodeError(header().setSnapshotChunk(floors.addFloors(floor)), "snapshot_chunk.floors");

    // A chunk no receiver would accept is refused on encode.
    NodeId a = new NodeId("a", 1);
    SnapshotChunk.Entry e = new SnapshotChunk.Entry("k", Ballot.ZERO, new Cell(null, 1, 0, 1));
    List<SnapshotChunk.Entry> tooMany = new ArrayList<>();
    for (int i = 0; i <= ProtoMapper.MAX_SNAPSHOT_ENTRIES; i++) {
      tooMany.add(e);
    }
    assertThatThrownBy(
            () ->
                ProtoMapper.setBody(
                    header(),
                    new SnapshotChunk(
                        a, a, 1, 0, 0, 0, SnapshotChunk.Status.OK, tooMany, List.of(), false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entries");
    assertThatThrownBy(
            () ->
                ProtoMapper.setBody(
                    header(),
                    new SnapshotChunk(
                        a,
                        a,
                        1,
                        0,
                        0,
                        0,
                        SnapshotChunk.Status.OK,
                        List.of(),
                        List.of(new SnapshotChunk.Floor(-1, Ballot.ZERO, 0)),
                        false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucket");
    assertThatThrownBy(
            () ->
                ProtoMapper.setBody(
                    header(),
                    new SnapshotChunk(
                        a, a, 0, 0, 0, 0, SnapshotChunk.Status.STALE, List.of(), List.of(), true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epoch");
    assertThatThrownBy(
            () -> ProtoMapper.setBody(header(), new SnapshotRequest(a, a, 1, -1, 0, 512)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition");
  }

  private static io.kvstore.net.proto.CatchUpStatus.Builder okStatus() {
    return io.kvstore.net.proto.CatchUpStatus.newBuilder()
        .setSource(id("a"))
        .setEpoch(2)
        .addDone(0)
        .addDone(7)
        .setPending(1);
  }

  @Test
  void invalidCatchUpStatusesAreDecodeErrors() {
    assertThat(catchDecode(header().setCatchUpStatus(okStatus()))).isNull();
    assertDecodeError(
        header().setCatchUpStatus(okStatus().clearSource()), "catch_up_status.source");
    assertDecodeError(header().setCatchUpStatus(okStatus().setEpoch(0)), "catch_up_status.epoch");
    assertDecodeError(
        header().setCatchUpStatus(okStatus().setEpoch(-1L)), "catch_up_status.epoch");
    assertDecodeError(
        header().setCatchUpStatus(okStatus().setPending(-1)), "catch_up_status.pending");
    assertDecodeError(header().setCatchUpStatus(okStatus().addDone(3)), "ascending");
    assertDecodeError(header().setCatchUpStatus(okStatus().addDone(7)), "ascending");
    assertDecodeError(
        header().setCatchUpStatus(okStatus().addDone(0x8000_0000)), "catch_up_status.done");
    io.kvstore.net.proto.CatchUpStatus.Builder many = okStatus().clearDone();
    for (int i = 0; i < ProtoMapper.MAX_DONE_PARTITIONS; i++) {
      many.addDone(i);
    }
    assertThat(catchDecode(header().setCatchUpStatus(many.clone()))).isNull();
    assertDecodeError(
        header().setCatchUpStatus(many.addDone(ProtoMapper.MAX_DONE_PARTITIONS)),
        "catch_up_status.done");

    NodeId a = new NodeId("a", 1);
    assertThatThrownBy(
            () -> ProtoMapper.setBody(header(), new CatchUpStatus(a, 2, List.of(3, 1), 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ProtoMapper.setBody(header(), new CatchUpStatus(a, 2, List.of(-1), 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ProtoMapper.setBody(header(), new CatchUpStatus(a, 0, List.of(), 0)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void catchUpStatusPartitionsArePacked() {
    NodeId a = new NodeId("a", 1);
    List<Integer> done = new ArrayList<>();
    for (int p = 0; p < 1000; p++) {
      done.add(p);
    }
    io.kvstore.net.proto.CatchUpStatus packed =
        ProtoMapper.toProto(new CatchUpStatus(a, 2, done, 0));
    // Packed: one byte or two per partition below 16384, no tag per element.
    assertThat(packed.getSerializedSize()).isLessThan(2 * 1000 + 64);
  }

  /**
   * Corrupted encodings of the new messages (bytes flipped, or cut short) either still decode to a
   * valid message or fail with one of the two decode exceptions the transport counts as garbage:
   * never anything else.
   */
  @Test
  void corruptedCatchUpMessagesFailAsGarbage() {
    Gen<Message> messages =
        Generate.oneOf(
            snapshotRequests().map(m -> (Message) m),
            snapshotChunks().map(m -> (Message) m),
            catchUpStatuses().map(m -> (Message) m),
            configAnnouncements().map(m -> (Message) m));
    qt().withExamples(2_000)
        .forAll(messages, longs().all())
        .checkAssert(
            (m, seed) -> {
              byte[] bytes = ProtoMapper.setBody(header(), m).build().toByteArray();
              java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
              if (random.nextBoolean()) {
                bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
              }
              int flips = 1 + random.nextInt(4);
              for (int i = 0; i < flips && bytes.length > 0; i++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
              }
              try {
                Envelope e = Envelope.parseFrom(bytes);
                ProtoMapper.fromEnvelope(e);
              } catch (InvalidProtocolBufferException | ProtoDecodeException expected) {
                // garbage, counted and dropped by the transport
              }
            });
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
