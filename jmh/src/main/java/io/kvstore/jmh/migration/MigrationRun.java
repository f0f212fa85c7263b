package io.kvstore.jmh.migration;

import io.kvstore.ClusterView;
import io.kvstore.KvException;
import io.kvstore.KvStore;
import io.kvstore.net.NettyTransport;
import io.kvstore.net.NettyTransportConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Measures elastic operations on a 3-node cluster in one JVM over loopback Netty: the time and
 * bytes to add a fourth node to a cluster holding a given amount of data, client throughput and p99
 * before and during the migration, and the time from an abrupt crash of a node to the end of
 * re-replication. Not a JMH benchmark (a migration is one long event, not a repeatable operation);
 * run it with {@code java -Xmx16g -cp jmh/target/benchmarks.jar
 * io.kvstore.jmh.migration.MigrationRun [MiB] [value bytes] [grace seconds] [lan|local]}.
 */
public final class MigrationRun {
  private MigrationRun() {}

  private record Node(KvStore store, NettyTransport transport) {}

  /** Entry point; see the class comment for arguments. */
  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    int valueBytes = args.length > 1 ? Integer.parseInt(args[1]) : 16 * 1024;
    int graceSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    String profile = args.length > 3 ? args[3] : "lan";
    long keys = mib * 1024 * 1024 / valueBytes;
    System.out.printf("shape: %d MiB as %d keys of %d bytes, RF 3, grace %d s, membership profile %s%n",
        mib, keys, valueBytes, graceSeconds, profile);
    List<Node> nodes = new ArrayList<>();
    List<String> seeds = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        nodes.add(start("m" + i, seeds, 3, valueBytes, graceSeconds, profile));
      }
      awaitSettled(nodes, 3, Duration.ofMinutes(2));
      long t0 = System.nanoTime();
      load(nodes.get(0).store(), keys, valueBytes);
      System.out.printf("load: %.1f s%n", (System.nanoTime() - t0) / 1e9);

      Load before = new Load(nodes, keys);
      before.run(Duration.ofSeconds(10));
      System.out.println("before the change:  " + before.report());

      Load during = new Load(nodes, keys);
      Thread loadThread = new Thread(() -> during.run(Duration.ofMinutes(30)));
      loadThread.start();
      long addStart = System.nanoTime();
      Node fourth = start("m4", seeds, 1, valueBytes, graceSeconds, profile);
      nodes.add(fourth);
      long[] received = new long[2];
      awaitSettled(nodes, 4, Duration.ofMinutes(30), view -> {
        for (ClusterView.Migration m : view.migrations()) {
          received[0] = Math.max(received[0], m.keysReceived());
          received[1] = Math.max(received[1], m.bytesReceived());
        }
      }, fourth.store());
      double addSeconds = (System.nanoTime() - addStart) / 1e9;
      during.stop();
      loadThread.join();
      System.out.printf("add a 4th node: %.1f s until every node runs the final configuration; the new node"
              + " received %d keys, %.1f MiB of values%n", addSeconds, received[0], received[1] / 1048576.0);
      System.out.println("during the change:  " + during.report());
      ClusterView v = fourth.store().cluster().orElseThrow();
      System.out.printf("spread: %d to %d partitions per node%n", v.minReplicasPerMember(), v.maxReplicasPerMember());

      // An abrupt crash (the transport goes away without a leave): detection, grace, re-replication.
      Node victim = nodes.get(1);
      long killAt = System.nanoTime();
      victim.transport().close();
      List<Node> rest = new ArrayList<>(nodes);
      rest.remove(victim);
      awaitSettled(rest, 3, Duration.ofMinutes(30));
      System.out.printf("crash to full re-replication: %.1f s (grace %d s)%n",
          (System.nanoTime() - killAt) / 1e9, graceSeconds);
      nodes.remove(victim);
      victim.store().close();
    } finally {
      for (Node n : nodes) {
        n.store().close();
      }
    }
  }

  private static Node start(String name, List<String> seeds, int expect, int valueBytes, int grace, String profile) {
    NettyTransport t = NettyTransport.create(NettyTransportConfig.builder().port(0).build());
    KvStore s = KvStore.builder().nodeName(name).transport(t).clusterAddress("127.0.0.1:0")
        .seeds(List.copyOf(seeds)).bootstrapExpect(expect).membershipProfile(profile)
        .maxValueBytes(Math.max(valueBytes, 1024)).deadMemberGrace(Duration.ofSeconds(grace))
        .operationTimeout(Duration.ofSeconds(10)).build().start();
    seeds.add(t.localEndpoint().toString());
    return new Node(s, t);
  }

  private static void awaitSettled(List<Node> nodes, int members, Duration limit) throws InterruptedException {
    awaitSettled(nodes, members, limit, v -> { }, null);
  }

  private static void awaitSettled(List<Node> nodes, int members, Duration limit,
      java.util.function.Consumer<ClusterView> watch, KvStore watched) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (watched != null) {
        watched.cluster().ifPresent(watch);
      }
      long epoch = -1;
      boolean ok = true;
      for (Node n : nodes) {
        Optional<ClusterView> v = n.store().cluster();
        if (v.isEmpty() || !v.get().previousMembers().isEmpty() || v.get().members().size() != members
            || !v.get().ready() || (epoch >= 0 && v.get().epoch() != epoch)) {
          ok = false;
          break;
        }
        epoch = v.get().epoch();
      }
      if (ok) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the cluster did not settle at " + members + " members in " + limit);
  }

  private static void load(KvStore store, long keys, int valueBytes) throws InterruptedException {
    Semaphore window = new Semaphore(256);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    byte[] value = new byte[valueBytes];
    for (long k = 0; k < keys && failure.get() == null; k++) {
      window.acquire();
      value[0] = (byte) k;
      store.async().put("key-" + k, value.clone()).whenComplete((v, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
        window.release();
      });
    }
    window.acquire(256);
    if (failure.get() != null) {
      throw new IllegalStateException("loading failed", failure.get());
    }
  }

  /**
   * A closed loop of 32 clients: half gets of the loaded keys, half 1 KiB puts to 10,000 other keys
   * (so the loaded data keeps its size).
   */
  private static final class Load {
    private final List<Node> nodes;
    private final long keys;
    private final Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(30), 3);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private long nanos;

    Load(List<Node> nodes, long keys) {
      this.nodes = List.copyOf(nodes);
      this.keys = keys;
    }

    void stop() {
      stop.set(true);
    }

    void run(Duration max) {
      long start = System.nanoTime();
      long deadline = start + max.toNanos();
      List<CompletableFuture<Void>> clients = new ArrayList<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
      for (int c = 0; c < 32; c++) {
        int id = c;
        clients.add(CompletableFuture.runAsync(() -> {
          java.util.SplittableRandom r = new java.util.SplittableRandom(id);
          byte[] v = new byte[1024];
          while (!stop.get() && System.nanoTime() < deadline) {
            KvStore s = nodes.get(r.nextInt(nodes.size())).store();
            long t = System.nanoTime();
            try {
              if (r.nextBoolean()) {
                s.get("key-" + r.nextLong(keys));
              } else {
                s.put("hot-" + r.nextInt(10_000), v);
              }
              ok.incrementAndGet();
              latency.recordValue(Math.min((System.nanoTime() - t) / 1000, TimeUnit.SECONDS.toMicros(30)));
            } catch (KvException e) {
              errors.incrementAndGet();
            }
          }
        }, pool));
      }
      CompletableFuture.allOf(clients.toArray(new CompletableFuture[0])).join();
      pool.shutdown();
      nanos = System.nanoTime() - start;
    }

    String report() {
      return String.format("%.0f ops/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d errors",
          ok.get() / (nanos / 1e9), latency.getValueAtPercentile(50) / 1000.0,
          latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0, errors.get());
    }
  }
}
