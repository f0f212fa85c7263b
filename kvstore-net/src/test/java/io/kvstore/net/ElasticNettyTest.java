package io.kvstore.net;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.ClusterView;
import io.kvstore.KvStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Configuration changes over real Netty: a crashed node restarted at its address is caught up. */
final class ElasticNettyTest {
  private final List<KvStore> stores = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (KvStore s : stores) {
      s.close();
    }
  }

  private static void await(String what, BooleanSupplier condition, List<KvStore> nodes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder b = new StringBuilder("timed out waiting for " + what);
        for (KvStore s : nodes) {
          b.append("\n  ").append(s.nodeId()).append(": ").append(s.cluster().orElse(null));
        }
        throw new AssertionError(b.toString());
      }
      Thread.sleep(20);
    }
  }

  private record Node(KvStore store, NettyTransport transport) {}

  private Node start(String name, int port, int expect, List<String> seeds) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      NettyTransport t = NettyTransport.create(NettyTransportConfig.builder().port(port).build());
      KvStore s = KvStore.builder().nodeName(name).transport(t).membershipProfile("local")
          .clusterAddress("127.0.0.1:" + port).seeds(seeds).bootstrapExpect(expect)
          .operationTimeout(Duration.ofSeconds(3)).build();
      try {
        s.start();
        stores.add(s);
        return new Node(s, t);
      } catch (java.io.UncheckedIOException e) {
        if (attempt >= 40) {
          throw e; // the port stays taken (a restart needs its old address back)
        }
        Thread.sleep(250);
      }
    }
  }

  private static boolean settled(List<KvStore> nodes, int n) {
    long epoch = -1;
    for (KvStore s : nodes) {
      ClusterView v = s.cluster().orElse(null);
      if (v == null || !v.previousMembers().isEmpty() || v.members().size() != n || !v.ready()
          || (epoch >= 0 && v.epoch() != epoch)) {
        return false;
      }
      epoch = v.epoch();
    }
    return true;
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.DatagramSocket u = new java.net.DatagramSocket(0)) {
      return u.getLocalPort();
    }
  }

  @Test
  void aNodeRestartedAtItsAddressReplacesItsPredecessorAndIsCaughtUp() throws Exception {
    int pa = freePort();
    int pb = freePort();
    int pc = freePort();
    List<String> all = List.of("127.0.0.1:" + pa, "127.0.0.1:" + pb, "127.0.0.1:" + pc);
    Node a = start("a", pa, 3, all);
    Node b = start("b", pb, 3, all);
    Node c = start("c", pc, 3, all);
    await("formed", () -> settled(List.of(a.store(), b.store(), c.store()), 3),
        List.of(a.store(), b.store(), c.store()));
    for (int i = 0; i < 500; i++) {
      a.store().put("key-" + i, ("v" + i).getBytes(UTF_8));
    }
    c.transport().close(); // a crash: no leave
    Node c2 = start("c", pc, 3, all);
    List<KvStore> now = List.of(a.store(), b.store(), c2.store());
    await("the restarted c to replace its predecessor", () -> settled(now, 3)
        && c2.store().cluster().orElseThrow().members().contains(c2.store().nodeId()), now);
    a.transport().close();
    for (int i = 0; i < 500; i++) {
      assertThat(new String(c2.store().get("key-" + i).orElseThrow().value(), UTF_8)).isEqualTo("v" + i);
    }
    // Once a is known dead, b leaves gracefully: it hands its partitions to the live member, c.
    await("b to see a dead", () -> b.store().members().stream().anyMatch(m -> m.id().equals(a.store().nodeId())
        && m.status() == io.kvstore.MemberStatus.DEAD), List.of(b.store()));
    b.store().close();
    await("c to hold everything alone", () -> settled(List.of(c2.store()), 1), List.of(c2.store()));
    for (int i = 0; i < 500; i++) {
      assertThat(new String(c2.store().get("key-" + i).orElseThrow().value(), UTF_8)).isEqualTo("v" + i);
    }
  }
}
