package io.kvstore.net;

import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.MemberUpdate;
import io.kvstore.spi.message.Ping;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A quick loopback measurement, not a test: messages per second pipelined over one TCP connection,
 * and round trips per second one at a time (TCP and UDP). Run from the repository root:
 *
 * <pre>
 * mvn -o -q -pl kvstore-net test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * CP=kvstore-net/target/classes:kvstore-net/target/test-classes:$(cat kvstore-net/target/cp.txt)
 * java -cp "$CP" io.kvstore.net.LoopbackThroughput
 * </pre>
 */
final class LoopbackThroughput {
  private static final NodeId A = new NodeId("node-a", 0x1234_5678_9abcL);
  private static final NodeId B = new NodeId("node-b", 0x9abc_1234_5678L);
  private static final int WINDOW = 20_000;

  private LoopbackThroughput() {}

  public static void main(String[] args) throws Exception {
    AtomicLong received = new AtomicLong();
    LinkedBlockingQueue<Message> replies = new LinkedBlockingQueue<>();
    try (NettyTransport a = transport();
        NettyTransport b = transport()) {
      a.start(new Endpoint("127.0.0.1", 0), (from, m) -> replies.add(m));
      b.start(
          new Endpoint("127.0.0.1", 0),
          (from, m) -> {
            if (m instanceof Ping p && p.target().equals(B) && p.seq() < 0) {
              // Echo probes with a negative seq: the round-trip test.
              Ack ack = new Ack(p.seq(), B, List.of());
              if (p.source().name().equals("udp")) {
                b.sendDatagram(from, ack);
              } else {
                b.send(from, ack);
              }
            } else {
              received.incrementAndGet();
            }
          });
      Endpoint to = b.localEndpoint();
      Ping small = new Ping(1, A, B, List.of());
      List<MemberUpdate> gossip =
          List.of(update("node-c", 7003), update("node-d", 7004), update("node-e", 7005));
      Ping withGossip = new Ping(1, A, B, gossip);
      System.out.printf(
          "message sizes: small ping %d B, ping with 3 updates %d B (envelope)%n",
          size(a, small), size(a, withGossip));

      pipelined(a, to, small, received, 300_000); // warm-up
      for (int run = 0; run < 3; run++) {
        report(
            "pipelined TCP, small ping", pipelined(a, to, small, received, 1_000_000), 1_000_000);
      }
      for (int run = 0; run < 2; run++) {
        report(
            "pipelined TCP, ping + 3 updates",
            pipelined(a, to, withGossip, received, 500_000),
            500_000);
      }
      roundTrips(a, to, replies, A, false, 2_000); // warm-up
      for (int run = 0; run < 2; run++) {
        report(
            "round trips TCP, one at a time", roundTrips(a, to, replies, A, false, 20_000), 20_000);
      }
      NodeId udp = new NodeId("udp", 1);
      roundTrips(a, to, replies, udp, true, 2_000);
      for (int run = 0; run < 2; run++) {
        report(
            "round trips UDP, one at a time",
            roundTrips(a, to, replies, udp, true, 20_000),
            20_000);
      }
      System.out.println("sender   " + a.metrics());
      System.out.println("receiver " + b.metrics());
    }
  }

  private static NettyTransport transport() {
    return NettyTransport.create(
        NettyTransportConfig.builder()
            .clusterName("bench")
            .port(0)
            .outboundQueueLimit(WINDOW * 2)
            .build());
  }

  private static MemberUpdate update(String name, int port) {
    return new MemberUpdate(
        new NodeId(name, port * 31L),
        new Endpoint("10.0.0.7", port),
        MemberStatus.ALIVE,
        12,
        Map.of());
  }

  private static int size(NettyTransport t, Message m) {
    return io.kvstore.net.codec.ProtoMapper.setBody(
            io.kvstore.net.codec.EnvelopeHeaders.newEnvelope(
                "bench", io.kvstore.net.codec.ProtoMapper.toProto(t.localEndpoint())),
            m)
        .setRequestId(123_456)
        .build()
        .getSerializedSize();
  }

  /** Sends n messages keeping at most WINDOW in flight; returns elapsed nanos until all arrived. */
  private static long pipelined(
      NettyTransport a, Endpoint to, Message m, AtomicLong received, int n) {
    long base = received.get();
    long start = System.nanoTime();
    for (int sent = 0; sent < n; sent++) {
      while (sent - (received.get() - base) >= WINDOW) {
        Thread.onSpinWait();
      }
      a.send(to, m);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (received.get() - base < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("lost messages: " + a.metrics());
      }
      LockSupport.parkNanos(10_000);
    }
    return System.nanoTime() - start;
  }

  /** n sequential ping → ack round trips; returns elapsed nanos. */
  private static long roundTrips(
      NettyTransport a,
      Endpoint to,
      LinkedBlockingQueue<Message> replies,
      NodeId source,
      boolean datagram,
      int n)
      throws InterruptedException {
    long start = System.nanoTime();
    for (int i = 1; i <= n; i++) {
      Ping p = new Ping(-i, source, B, List.of());
      if (datagram) {
        a.sendDatagram(to, p);
      } else {
        a.send(to, p);
      }
      Message reply = replies.poll(5, TimeUnit.SECONDS);
      if (reply == null) {
        // A lost datagram: count the probe as failed and go on, as SWIM would.
        System.out.println("  (no reply to probe " + i + ")");
      }
    }
    return System.nanoTime() - start;
  }

  private static void report(String what, long nanos, int n) {
    double seconds = nanos / 1e9;
    System.out.printf(
        "%-34s %,10d in %6.3f s = %,12.0f /s (%.1f us each)%n",
        what, n, seconds, n / seconds, nanos / 1e3 / n);
  }
}
