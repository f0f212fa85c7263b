package io.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
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
import io.netty.util.ResourceLeakDetector;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real transports on 127.0.0.1 with ephemeral ports. */
class NettyTransportLoopbackTest {
  private static final long WAIT_MILLIS = 10_000;
  private static final NodeId A = new NodeId("a", 0xA);
  private static final NodeId B = new NodeId("b", 0xB);

  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** One received message. */
  record Received(Endpoint from, Message message) {}

  /** Collects what a transport delivers. */
  static final class Recorder implements Transport.Inbound {
    final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    @Override
    public void receive(Endpoint from, Message message) {
      queue.add(new Received(from, message));
    }

    Received next() throws InterruptedException {
      Received r = queue.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
      assertThat(r).as("a message within %d ms", WAIT_MILLIS).isNotNull();
      return r;
    }
  }

  @BeforeAll
  static void paranoid() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private NettyTransport transport(String cluster, Consumer<NettyTransportConfig.Builder> tune) {
    NettyTransportConfig.Builder b =
        NettyTransportConfig.builder()
            .clusterName(cluster)
            .port(0)
            .ioThreads(1)
            .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
    tune.accept(b);
    NettyTransport t = NettyTransport.create(b.build());
    closeables.add(t);
    return t;
  }

  private NettyTransport started(String cluster, Recorder r) {
    NettyTransport t = transport(cluster, b -> {});
    t.start(new Endpoint("127.0.0.1", 0), r);
    return t;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as("waiting for " + what).isTrue();
      Thread.sleep(5); // polling interval of a bounded wait, not synchronisation
    }
  }

  private static List<Message> everyMessage() {
    MemberUpdate u =
        new MemberUpdate(
            B,
            new Endpoint("127.0.0.1", 7001),
            MemberStatus.SUSPECT,
            3,
            Map.of("http", "http://127.0.0.1:8080"));
    return List.of(
        new Ping(1, A, B, List.of(u)),
        new Ack(2, B, List.of()),
        new PingReq(3, A, B, new Endpoint("127.0.0.1", 7001), List.of(u, u)),
        new Nack(4, B),
        new PushPull(A, true, false, List.of(u)));
  }

  @Test
  void everyMessageTypeOverStreamAndDatagramFromTheAdvertisedEndpoint() throws Exception {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    NettyTransport a = started("blue", ra);
    NettyTransport b = started("blue", rb);
    assertThat(a.localEndpoint().host()).isEqualTo("127.0.0.1");
    assertThat(a.localEndpoint().port()).isPositive();

    for (Message m : everyMessage()) {
      a.send(b.localEndpoint(), m);
      assertThat(rb.next()).isEqualTo(new Received(a.localEndpoint(), m));
      a.sendDatagram(b.localEndpoint(), m);
      assertThat(rb.next()).isEqualTo(new Received(a.localEndpoint(), m));
      b.sendDatagram(a.localEndpoint(), m);
      assertThat(ra.next()).isEqualTo(new Received(b.localEndpoint(), m));
    }
    int n = everyMessage().size();
    assertThat(b.metrics().get(Counter.TCP_MESSAGES_IN)).isEqualTo(n);
    assertThat(b.metrics().get(Counter.UDP_MESSAGES_IN)).isEqualTo(n);
    assertThat(a.metrics().get(Counter.UDP_MESSAGES_OUT)).isEqualTo(n);
    assertThat(a.metrics().get(Counter.TCP_MESSAGES_OUT)).isEqualTo(n + 1); // + Hello
    assertThat(a.metrics().get(Counter.CONNECTIONS_OPENED)).isEqualTo(1);
    assertThat(b.metrics().get(Counter.CONNECTIONS_ACCEPTED)).isEqualTo(1);
  }

  /** Every replication message, with null, empty and present values and zero ballots. */
  private static List<Message> everyReplicationMessage() {
    Ballot b = new Ballot(7, A);
    Cell cell = new Cell(new byte[] {1, 2, 3}, 4, 1_700_000_000_000L, 99);
    Cell tombstone = new Cell(null, 5, 0, 100);
    Cell empty = new Cell(new byte[0], 6, 0, 101);
    return List.of(
        new Prepare(1, A, B, "key-ü", b, 3),
        new Promise(1, B, "key-ü", true, b, Ballot.ZERO, null),
        new Promise(2, B, "k", false, new Ballot(9, B), b, tombstone),
        new Accept(3, A, B, "k", b, cell, b.next(A), 3),
        new Accept(4, A, B, "", b, empty, null, 0),
        new Accepted(3, B, "k", true, b),
        new Read(5, A, B, "k", Long.MAX_VALUE),
        new ReadReply(5, B, "k", b, cell),
        new ReadReply(6, B, "k", Ballot.ZERO, null),
        new ClientRequest(7, A, B, "k", ClientRequest.Kind.PUT, new byte[] {9}, 0, 1_000, 5_000),
        new ClientRequest(8, A, B, "k", ClientRequest.Kind.GET, null, 0, 0, 5_000),
        new ClientReply(7, B, ClientReply.Status.DONE, true, 4, new byte[0], ""),
        new ClientReply(8, B, ClientReply.Status.UNKNOWN, false, 0, null, "timed out"),
        new Purge(A, B, "k", b, 4),
        new ConfigAnnounce(A, -42L, 2, List.of(A, B), List.of(), 2, 64),
        new ConfigAnnounce(A, 42L, 3, List.of(A, B), List.of(A), 2, 64),
        new SnapshotRequest(B, A, 3, 17, 0, 512),
        new SnapshotChunk(
            A,
            B,
            3,
            17,
            0,
            2,
            SnapshotChunk.Status.OK,
            List.of(
                new SnapshotChunk.Entry("k", b, cell), new SnapshotChunk.Entry("", b, tombstone)),
            List.of(new SnapshotChunk.Floor(5, b, 9), new SnapshotChunk.Floor(6, Ballot.ZERO, 1)),
            true),
        new SnapshotChunk(
            A, B, 4, 17, 7, 7, SnapshotChunk.Status.BEHIND, List.of(), List.of(), false),
        new CatchUpStatus(B, 3, List.of(0, 17, 255), 2),
        new CatchUpStatus(B, 3, List.of(), 0));
  }

  /** Message equality with byte arrays compared by content (null and empty differ). */
  private static void assertReceived(Received r, Endpoint from, Message expected) {
    assertThat(r.from()).isEqualTo(from);
    assertThat(r.message())
        .usingRecursiveComparison()
        .withStrictTypeChecking()
        .isEqualTo(expected);
  }

  @Test
  void everyReplicationMessageOverStreamAndDatagram() throws Exception {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    NettyTransport a = started("blue", ra);
    NettyTransport b = started("blue", rb);
    List<Message> all = everyReplicationMessage();
    for (Message m : all) {
      a.send(b.localEndpoint(), m);
      assertReceived(rb.next(), a.localEndpoint(), m);
      a.sendDatagram(b.localEndpoint(), m);
      assertReceived(rb.next(), a.localEndpoint(), m);
      b.sendDatagram(a.localEndpoint(), m);
      assertReceived(ra.next(), b.localEndpoint(), m);
    }
    assertThat(b.metrics().get(Counter.TCP_MESSAGES_IN)).isEqualTo(all.size());
    assertThat(b.metrics().get(Counter.UDP_MESSAGES_IN)).isEqualTo(all.size());
    assertThat(a.metrics().get(Counter.DATAGRAM_FALLBACKS)).isZero();
    assertThat(b.metrics().get(Counter.DROPPED_GARBAGE)).isZero();
  }

  @Test
  void aLargeCellSentAsADatagramGoesOverTheStream() throws Exception {
    Recorder rb = new Recorder();
    NettyTransport a = started("blue", new Recorder());
    NettyTransport b = started("blue", rb);
    byte[] value = new byte[64 * 1024];
    new SplittableRandom(7).nextBytes(value);
    Ballot ballot = new Ballot(1, A);
    Accept big =
        new Accept(1, A, B, "big", ballot, new Cell(value, 1, 0, 1), ballot.next(A), 1);
    ClientRequest bigPut =
        new ClientRequest(2, A, B, "big", ClientRequest.Kind.PUT, value, 0, 0, 1_000_000_000L);
    a.sendDatagram(b.localEndpoint(), big);
    assertReceived(rb.next(), a.localEndpoint(), big);
    a.sendDatagram(b.localEndpoint(), bigPut);
    assertReceived(rb.next(), a.localEndpoint(), bigPut);
    assertThat(a.metrics().get(Counter.DATAGRAM_FALLBACKS)).isEqualTo(2);
    assertThat(a.metrics().get(Counter.UDP_MESSAGES_OUT)).isZero();
    assertThat(b.metrics().get(Counter.TCP_MESSAGES_IN)).isEqualTo(2);
  }

  /**
   * The largest chunk a replica sends: 512 entries whose values stay under the 512 KiB budget but
   * for a last value of the default maximum size (1 MiB), which the budget check lets through,
   * keys of the default maximum size, and a floor for every one of the 1024 buckets.
   */
  private static SnapshotChunk largestChunk() {
    SplittableRandom random = new SplittableRandom(11);
    Ballot ballot = new Ballot(Long.MAX_VALUE, new NodeId("proposer-with-a-long-name", -1L));
    List<SnapshotChunk.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      byte[] value = new byte[i == 511 ? 1024 * 1024 : 1000];
      random.nextBytes(value);
      String key = ("key-" + i + "-").repeat(200).substring(0, 1024);
      Cell cell =
          i % 7 == 3
              ? new Cell(null, Long.MAX_VALUE, 0, Long.MIN_VALUE)
              : new Cell(value, Long.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE);
      entries.add(new SnapshotChunk.Entry(key, ballot, cell));
    }
    List<SnapshotChunk.Floor> floors = new ArrayList<>();
    for (int bucket = 0; bucket < 1024; bucket++) {
      floors.add(new SnapshotChunk.Floor(bucket, ballot, Long.MAX_VALUE));
    }
    return new SnapshotChunk(
        A, B, Long.MAX_VALUE, 65535, 0, 512, SnapshotChunk.Status.OK, entries, floors, false);
  }

  @Test
  void theLargestSnapshotChunkFitsTheDefaultFrameLimit() throws Exception {
    Recorder rb = new Recorder();
    NettyTransport a = started("blue", new Recorder());
    NettyTransport b = started("blue", rb);
    SnapshotChunk chunk = largestChunk();
    // Record equality suffices here: a Cell compares its value bytes by content.
    a.send(b.localEndpoint(), chunk);
    assertThat(rb.next()).isEqualTo(new Received(a.localEndpoint(), chunk));
    // Sent as a datagram, it goes over the stream too.
    a.sendDatagram(b.localEndpoint(), chunk);
    assertThat(rb.next()).isEqualTo(new Received(a.localEndpoint(), chunk));
    assertThat(a.metrics().get(Counter.DATAGRAM_FALLBACKS)).isEqualTo(1);
    assertThat(a.metrics().get(Counter.DROPPED_OVERSIZE)).isZero();
    assertThat(b.metrics().get(Counter.DROPPED_OVERSIZE)).isZero();
    assertThat(b.metrics().get(Counter.TCP_MESSAGES_IN)).isEqualTo(2);
    // Each frame holds at least the 1 MiB value and 512 KiB of keys, well under the 16 MiB limit.
    long bytesPerFrame = b.metrics().get(Counter.TCP_BYTES_IN) / 2;
    assertThat(bytesPerFrame)
        .isGreaterThan(1024 * 1024 + 512 * 1024)
        .isLessThan(NettyTransportConfig.DEFAULT_MAX_FRAME_BYTES / 4);
  }

  @Test
  void advertisedHostIsWhatPeersSeeAsFrom() throws Exception {
    Recorder rb = new Recorder();
    NettyTransport a = transport("blue", c -> c.advertisedHost("localhost"));
    a.start(new Endpoint("127.0.0.1", 0), new Recorder());
    NettyTransport b = started("blue", rb);
    assertThat(a.localEndpoint()).isEqualTo(new Endpoint("localhost", a.localEndpoint().port()));
    a.send(b.localEndpoint(), new Nack(1, A));
    assertThat(rb.next().from()).isEqualTo(a.localEndpoint());
  }

  @Test
  void anotherClusterIsRefusedOnTcpAndItsDatagramsDropped() throws Exception {
    Recorder rb = new Recorder();
    NettyTransport green = started("green", new Recorder());
    NettyTransport blue = started("blue", rb);
    green.send(blue.localEndpoint(), new Nack(1, A));
    green.sendDatagram(blue.localEndpoint(), new Nack(2, A));
    await(
        "refused handshake and dropped datagram",
        () ->
            blue.metrics().get(Counter.HANDSHAKE_FAILURES) == 1
                && blue.metrics().get(Counter.DROPPED_WRONG_CLUSTER) == 2
                && green.metrics().get(Counter.HANDSHAKE_FAILURES) == 1
                && green.metrics().get(Counter.DROPPED_UNREACHABLE) == 1);
    assertThat(rb.queue).isEmpty();
    assertThat(blue.metrics().get(Counter.TCP_MESSAGES_IN)).isZero();
  }

  @Test
  void randomBytesAreCountedAndIgnoredAndTheTransportStillWorks() throws Exception {
    Recorder rb = new Recorder();
    NettyTransport a = started("blue", new Recorder());
    NettyTransport b = started("blue", rb);
    Endpoint target = b.localEndpoint();
    SplittableRandom random = new SplittableRandom(42);
    byte[] junk = new byte[512];
    random.nextBytes(junk);

    try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 20; i++) {
        int len = 1 + random.nextInt(junk.length);
        udp.send(new DatagramPacket(junk, len, new InetSocketAddress("127.0.0.1", target.port())));
      }
    }
    // Each connection gets one chunk of junk; the server closes it (counted) or its handshake
    // times out (counted).
    for (int i = 0; i < 5; i++) {
      try (Socket s = new Socket("127.0.0.1", target.port())) {
        OutputStream out = s.getOutputStream();
        out.write(junk, i * 50, 100);
        out.flush();
        s.setSoTimeout((int) WAIT_MILLIS);
        assertThat(readUntilClosed(s)).as("server closes a junk connection").isTrue();
      }
    }
    await(
        "junk counted",
        () -> {
          TransportMetrics m = b.metrics();
          long drops =
              m.get(Counter.DROPPED_GARBAGE)
                  + m.get(Counter.DROPPED_WRONG_VERSION)
                  + m.get(Counter.DROPPED_WRONG_CLUSTER)
                  + m.get(Counter.DROPPED_OVERSIZE);
          // Each junk datagram is one drop; each junk connection is one failed handshake.
          return m.get(Counter.HANDSHAKE_FAILURES) == 5 && drops >= 20;
        });
    assertThat(rb.queue).isEmpty();

    a.send(target, new Nack(1, A));
    assertThat(rb.next()).isEqualTo(new Received(a.localEndpoint(), new Nack(1, A)));
    a.sendDatagram(target, new Nack(2, A));
    assertThat(rb.next()).isEqualTo(new Received(a.localEndpoint(), new Nack(2, A)));
  }

  /** Reads until the peer closes (EOF or reset), bounded by the socket timeout. */
  private static boolean readUntilClosed(Socket s) throws java.io.IOException {
    byte[] sink = new byte[256];
    try {
      for (int i = 0; i < 1000; i++) {
        if (s.getInputStream().read(sink) < 0) {
          return true;
        }
      }
      return false;
    } catch (java.net.SocketException reset) {
      return true; // closed with our junk unread: the kernel answers with a reset
    }
  }

  @Test
  void aPeerThatGoesAwayAndComesBackIsReconnectedTo() throws Exception {
    NettyTransport a = started("blue", new Recorder());
    Recorder rb1 = new Recorder();
    NettyTransport b1 = started("blue", rb1);
    Endpoint bAddress = b1.localEndpoint();
    a.send(bAddress, new Nack(1, A));
    assertThat(rb1.next().message()).isEqualTo(new Nack(1, A));

    b1.close();
    await("a notices the closed connection", () -> a.metrics().get(Counter.CONNECTIONS_CLOSED) == 1);
    // Sends while b is away are lost (counted), never block, never throw.
    for (int i = 0; i < 3; i++) {
      a.send(bAddress, new Nack(100 + i, A));
    }
    await(
        "sends to the dead peer dropped", () -> a.metrics().get(Counter.DROPPED_UNREACHABLE) >= 1);

    Recorder rb2 = new Recorder();
    NettyTransport b2 = transport("blue", c -> {});
    b2.start(bAddress, rb2);
    assertThat(b2.localEndpoint()).isEqualTo(bAddress);
    // Keep sending (bounded) until one arrives: the first may meet the backoff or the old
    // connection's close.
    Received got = null;
    for (int i = 0; i < 200 && got == null; i++) {
      a.send(bAddress, new Nack(1000 + i, A));
      got = rb2.queue.poll(50, TimeUnit.MILLISECONDS);
    }
    assertThat(got).as("a message reaches the restarted peer").isNotNull();
    assertThat(got.from()).isEqualTo(a.localEndpoint());
    assertThat(a.metrics().get(Counter.CONNECTIONS_OPENED)).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aDatagramOverTheSizeLimitGoesOverTheStream() throws Exception {
    Recorder rb = new Recorder();
    NettyTransport a = started("blue", new Recorder());
    NettyTransport b = started("blue", rb);
    List<MemberUpdate> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(
          new MemberUpdate(
              new NodeId("member-" + i, i),
              new Endpoint("10.0.0." + i, 7946),
              MemberStatus.ALIVE,
              i,
              Map.of()));
    }
    PushPull big = new PushPull(A, false, false, many);
    a.sendDatagram(b.localEndpoint(), big);
    assertThat(rb.next()).isEqualTo(new Received(a.localEndpoint(), big));
    assertThat(a.metrics().get(Counter.DATAGRAM_FALLBACKS)).isEqualTo(1);
    assertThat(a.metrics().get(Counter.UDP_MESSAGES_OUT)).isZero();
    assertThat(b.metrics().get(Counter.TCP_MESSAGES_IN)).isEqualTo(1);
  }

  @Test
  void manyMessagesArrivePipelinedInOrderOnOneStream() throws Exception {
    Recorder rb = new Recorder();
    NettyTransport a = transport("blue", c -> c.outboundQueueLimit(100_000));
    a.start(new Endpoint("127.0.0.1", 0), new Recorder());
    NettyTransport b = started("blue", rb);
    int n = 5_000;
    for (int i = 0; i < n; i++) {
      a.send(b.localEndpoint(), new Ping(i, A, B, List.of()));
    }
    for (int i = 0; i < n; i++) {
      Received r = rb.next();
      assertThat(((Ping) r.message()).seq()).isEqualTo(i);
    }
    assertThat(a.metrics().get(Counter.CONNECTIONS_OPENED)).isEqualTo(1);
    assertThat(a.metrics().get(Counter.DROPPED_QUEUE_OVERFLOW)).isZero();
    // Batched flushes: far fewer TCP segments than messages is not observable portably, but the
    // byte count must account for every frame.
    assertThat(b.metrics().get(Counter.TCP_MESSAGES_IN)).isEqualTo(n);
  }

  @Test
  void sendsBeyondTheQueueLimitWhileConnectingAreDroppedAndCounted() throws Exception {
    // A server that accepts and never answers the Hello: the connection stays in its handshake.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      NettyTransport a =
          transport("blue", c -> c.outboundQueueLimit(4).connectTimeout(Duration.ofMillis(300)));
      a.start(new Endpoint("127.0.0.1", 0), new Recorder());
      Endpoint to = new Endpoint("127.0.0.1", silent.getLocalPort());
      for (int i = 0; i < 100; i++) {
        a.send(to, new Nack(i, A));
      }
      assertThat(a.metrics().get(Counter.DROPPED_QUEUE_OVERFLOW)).isEqualTo(96);
      // The handshake times out; the four queued messages are dropped as unreachable.
      await(
          "handshake timeout",
          () ->
              a.metrics().get(Counter.HANDSHAKE_FAILURES) == 1
                  && a.metrics().get(Counter.DROPPED_UNREACHABLE) == 4);
    }
  }

  @Test
  void anOutboundMessageAboveTheFrameLimitIsDroppedAndCounted() throws Exception {
    Recorder rb = new Recorder();
    NettyTransport a = transport("blue", c -> c.maxFrameBytes(1024));
    a.start(new Endpoint("127.0.0.1", 0), new Recorder());
    NettyTransport b = started("blue", rb);
    List<MemberUpdate> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(
          new MemberUpdate(
              new NodeId("m" + i, i), new Endpoint("h", 1), MemberStatus.ALIVE, 0, Map.of()));
    }
    a.send(b.localEndpoint(), new PushPull(A, false, false, many));
    a.send(b.localEndpoint(), new Nack(1, A));
    assertThat(rb.next().message()).isEqualTo(new Nack(1, A));
    assertThat(a.metrics().get(Counter.DROPPED_OVERSIZE)).isEqualTo(1);
  }

  @Test
  void lifecycleMisuseFailsFast() {
    NettyTransport t = transport("blue", c -> {});
    assertThatThrownBy(t::localEndpoint).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> t.send(new Endpoint("127.0.0.1", 1), new Nack(1, A)))
        .isInstanceOf(IllegalStateException.class);
    t.start(new Endpoint("127.0.0.1", 0), new Recorder());
    assertThatThrownBy(() -> t.start(new Endpoint("127.0.0.1", 0), new Recorder()))
        .isInstanceOf(IllegalStateException.class);
    t.close();
    t.close(); // idempotent
    t.send(new Endpoint("127.0.0.1", 1), new Nack(1, A)); // dropped, not thrown
    assertThat(t.metrics().get(Counter.DROPPED_UNREACHABLE)).isEqualTo(1);
    NettyTransport wildcard = transport("blue", c -> {});
    assertThatThrownBy(() -> wildcard.start(new Endpoint("0.0.0.0", 0), new Recorder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("advertisedHost");
  }

  @Test
  void aTakenPortFailsStartWithAClearError() {
    NettyTransport a = started("blue", new Recorder());
    NettyTransport b = transport("blue", c -> {});
    assertThatThrownBy(() -> b.start(a.localEndpoint(), new Recorder()))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(String.valueOf(a.localEndpoint().port()));
  }
}
