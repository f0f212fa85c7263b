package io.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.KvStore;
import io.kvstore.KvStoreBuilder;
import io.kvstore.OutcomeUnknownException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A coordinator whose connection breaks (its process crashed) stops taking writes at once, long
 * before failure detection declares it dead: writes forwarded to it end as unknown, new writes go
 * to another replica.
 */
class BrokenConnectionTest {
  private final List<KvStore> stores = new ArrayList<>();
  private final List<NettyTransport> transports = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (KvStore s : stores) {
      s.close();
    }
    for (NettyTransport t : transports) {
      t.close();
    }
  }

  private KvStore start(String name, String... seeds) {
    NettyTransport t =
        NettyTransport.create(NettyTransportConfig.builder().port(0).clusterName("kvstore").build());
    transports.add(t);
    // LAN timers: a crashed member is declared dead only after several seconds, and operations
    // would wait 30 s: only the broken connection can end them early.
    KvStoreBuilder b = KvStore.builder().nodeName(name).transport(t).membershipProfile("lan")
        .clusterAddress("127.0.0.1:0").bootstrapExpect(3)
        .operationTimeout(Duration.ofSeconds(30)).deadMemberGrace(Duration.ZERO);
    if (seeds.length > 0) {
      b.seeds(seeds);
    }
    KvStore s = b.build();
    stores.add(s);
    s.start();
    return s;
  }

  /** Starts a, b and c, waits until they form a cluster with connections both ways; returns a. */
  private KvStore startThree() throws InterruptedException {
    KvStore a = start("a");
    String seed = transports.get(0).localEndpoint().toString();
    KvStore b = start("b", seed);
    start("c", seed);
    formAndConnect(a, b);
    return a;
  }

  private void formAndConnect(KvStore a, KvStore b) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        for (KvStore s : stores) {
          s.put("warm-up", new byte[1]);
        }
        // Every node has a connection to every other: the crash below breaks them.
        for (int i = 0; i < 30; i++) {
          a.put("key-" + i, new byte[1]);
          b.put("key-" + i, new byte[1]);
        }
        break;
      } catch (RuntimeException e) {
        assertThat(System.nanoTime()).as("the cluster forms").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  @Test
  void writesForwardedToACrashedCoordinatorEndAtOnceAndNewWritesGoElsewhere() throws Exception {
    KvStore a = startThree();

    transports.get(2).close(); // c's process is gone: its sockets close
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      writes.add(a.async().put("key-" + i, "after".getBytes(StandardCharsets.UTF_8)));
    }
    int ok = 0;
    for (CompletableFuture<?> w : writes) {
      try {
        w.get(60, TimeUnit.SECONDS);
        ok++;
      } catch (java.util.concurrent.ExecutionException e) {
        // Only a write already on its way to c may end unknown, and then because the connection
        // broke: not at failure detection, not at its 30 s deadline.
        assertThat(e.getCause()).isInstanceOf(OutcomeUnknownException.class);
        assertThat(e.getCause().getMessage()).contains("connection to the coordinator");
      }
    }
    assertThat(ok).as("writes after the crash succeed through other coordinators").isPositive();
    // Once the stream is known broken, every key's writes go to a live replica.
    for (int i = 0; i < 30; i++) {
      a.put("key-" + i, "again".getBytes(StandardCharsets.UTF_8));
    }
    // Let the cluster drop c before the others stop, so that their hand-offs have somewhere to go.
    long removed = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (a.cluster().map(v -> v.members().size()).orElse(0) != 2
        || !a.cluster().get().previousMembers().isEmpty()) {
      assertThat(System.nanoTime()).as("c is removed").isLessThan(removed);
      Thread.sleep(100);
    }
  }

  /**
   * A node's replication runs on its cluster transport's I/O thread. If the transport closes under
   * the running store, the operations in flight end as unknown at once instead of waiting forever.
   */
  @Test
  void operationsInFlightEndWhenTheTransportClosesUnderTheStore() throws Exception {
    KvStore a = startThree();

    // Without b and c no quorum answers: the writes a coordinates itself wait (up to their 30 s
    // deadline). A write forwarded to b or c before a saw their connections break ends at once as
    // unknown, for that reason (the test above).
    transports.get(1).close();
    transports.get(2).close();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      all.add(a.async().put("key-" + i, "stuck".getBytes(StandardCharsets.UTF_8)));
    }
    Thread.sleep(300);
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (CompletableFuture<?> w : all) {
      if (!w.isDone()) {
        writes.add(w);
        continue;
      }
      try {
        w.get();
        throw new AssertionError("a write without a quorum succeeded");
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(OutcomeUnknownException.class);
        assertThat(e.getCause().getMessage()).contains("connection to the coordinator");
      }
    }
    assertThat(writes).as("no quorum: the writes a coordinates are still in flight").isNotEmpty();

    transports.get(0).close();
    for (CompletableFuture<?> w : writes) {
      try {
        w.get(10, TimeUnit.SECONDS);
        throw new AssertionError("a write without a quorum succeeded");
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(OutcomeUnknownException.class);
        assertThat(e.getCause().getMessage()).contains("transport closed");
      }
    }
  }
}
