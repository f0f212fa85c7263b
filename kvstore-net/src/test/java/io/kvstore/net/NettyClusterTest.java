package io.kvstore.net;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.ContentionException;
import io.kvstore.KvStore;
import io.kvstore.KvStoreBuilder;
import io.kvstore.MemberStatus;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.Versioned;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.sim.HistoryJson;
import io.kvstore.sim.Operation;
import io.kvstore.sim.Operation.Kind;
import io.kvstore.sim.Operation.Status;
import io.kvstore.sim.checker.CheckResult;
import io.kvstore.sim.checker.LinearizabilityChecker;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real nodes over real Netty on loopback: membership and replication end to end in one JVM. */
class NettyClusterTest {
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

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private KvStore start(String name, String cluster, int expect, String... seeds) {
    NettyTransport t = NettyTransport.create(
        NettyTransportConfig.builder().port(0).clusterName(cluster).build());
    transports.add(t);
    KvStoreBuilder b = KvStore.builder().nodeName(name).transport(t).membershipProfile("local")
        .clusterAddress("127.0.0.1:0").bootstrapExpect(expect)
        .operationTimeout(Duration.ofSeconds(2));
    if (seeds.length > 0) {
      b.seeds(seeds);
    }
    KvStore s = b.build();
    stores.add(s);
    s.start();
    return s;
  }

  private static long count(KvStore s, String name, MemberStatus status) {
    return s.members().stream()
        .filter(m -> m.id().name().equals(name) && m.status() == status).count();
  }

  private static long alive(KvStore s) {
    return s.members().stream().filter(m -> m.status() == MemberStatus.ALIVE).count();
  }

  @Test
  void fiveNodesJoinThroughOneSeedAndSeeCrashesLeavesAndStrangers() throws Exception {
    KvStore seed = start("n1", "kvstore", 1);
    String seedAddress = transports.get(0).localEndpoint().toString();
    for (int i = 2; i <= 5; i++) {
      start("n" + i, "kvstore", 1, seedAddress);
    }
    await("all five to see five alive members", () -> stores.stream().allMatch(s -> alive(s) == 5));

    // A node of another cluster that uses the same seed never becomes a member.
    KvStore stranger = start("stranger", "other-cluster", 1, seedAddress);
    await("the stranger to be refused", () ->
        transports.get(0).metrics().get(Counter.DROPPED_WRONG_CLUSTER) > 0);
    assertThat(seed.members()).noneMatch(m -> m.id().name().equals("stranger"));
    stranger.close();

    // Garbage on both the UDP and the TCP port is counted and ignored.
    InetAddress loopback = InetAddress.getLoopbackAddress();
    int port = transports.get(0).localEndpoint().port();
    byte[] junk = new byte[512];
    new SplittableRandom(7).nextBytes(junk);
    try (DatagramSocket udp = new DatagramSocket()) {
      udp.send(new DatagramPacket(junk, junk.length, loopback, port));
    }
    try (Socket tcp = new Socket(loopback, port)) {
      tcp.getOutputStream().write(junk);
      tcp.getOutputStream().flush();
    }
    await("the garbage to be counted", () ->
        transports.get(0).metrics().get(Counter.DROPPED_GARBAGE) >= 2
            || transports.get(0).metrics().get(Counter.HANDSHAKE_FAILURES) >= 1
                && transports.get(0).metrics().get(Counter.DROPPED_GARBAGE) >= 1);

    // A graceful leave is seen as "left"; a crash (the transport cut off) as suspect, then dead.
    stores.get(3).close(); // n4
    await("n4 to be seen as left", () -> stores.subList(0, 3).stream()
        .allMatch(s -> count(s, "n4", MemberStatus.LEFT) == 1));
    transports.get(4).close(); // n5 crashes: no leave message
    await("n5 to be seen as dead", () -> stores.subList(0, 3).stream()
        .allMatch(s -> count(s, "n5", MemberStatus.DEAD) == 1));
    assertThat(stores.subList(0, 3)).allMatch(s -> alive(s) == 3);
  }

  /**
   * Replicated nodes, concurrent clients on a few hot keys, one node cut off mid-run: the recorded
   * history (exported as JSON lines) must be linearizable.
   */
  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {3, 5})
  void replicatedHistoryWithAKilledNodeIsLinearizable(int size) throws Exception {
    List<KvStore> nodes = new ArrayList<>();
    nodes.add(start("a", "kvstore", size));
    String seedAddress = transports.get(0).localEndpoint().toString();
    for (int i = 1; i < size; i++) {
      nodes.add(start(String.valueOf((char) ('a' + i)), "kvstore", size, seedAddress));
    }
    await("the cluster to form", () -> {
      try {
        for (KvStore s : nodes) {
          s.put("warm-up", new byte[1]);
        }
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    });

    long origin = System.nanoTime();
    List<Operation> history = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean killed = new AtomicBoolean();
    AtomicInteger processes = new AtomicInteger();
    long end = origin + TimeUnit.MILLISECONDS.toNanos(4000);
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      long seed = t;
      Thread client = new Thread(() -> runClient(new SplittableRandom(seed), nodes, killed,
          processes, history, origin, end), "client-" + t);
      clients.add(client);
      client.start();
    }
    Thread.sleep(1500);
    killed.set(true);
    transports.get(size - 1).close(); // the last node drops off the network
    for (Thread client : clients) {
      client.join(TimeUnit.SECONDS.toMillis(30));
    }

    HistoryJson.write(history, Path.of("target", "histories", "netty-" + size + "-nodes-kill.jsonl"));
    CheckResult result = new LinearizabilityChecker().check(history);
    assertThat(result.isLinearizable()).as(result.describe()).isTrue();
    long ok = history.stream().filter(o -> o.status() == Status.OK).count();
    long okAfterKill = history.stream().filter(o -> o.status() == Status.OK
        && o.callNanos() > TimeUnit.MILLISECONDS.toNanos(2500)).count();
    assertThat(ok).isGreaterThan(100);
    assertThat(okAfterKill).as("operations keep succeeding after the kill").isGreaterThan(20);
  }

  private static final int MAX_OPS_PER_CLIENT = 400;
  private static final long CLIENT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(8);

  private static void runClient(SplittableRandom rnd, List<KvStore> nodes, AtomicBoolean killed,
      AtomicInteger processes, List<Operation> history, long origin, long end) {
    int process = processes.getAndIncrement();
    int n = 0;
    // Paced and capped: the checker's work grows fast with the operations per key, and a faster
    // store must not turn this test into a long search.
    while (System.nanoTime() < end && n < MAX_OPS_PER_CLIENT) {
      if (n > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(CLIENT_PAUSE_NANOS);
      }
      KvStore s = nodes.get(rnd.nextInt(killed.get() ? nodes.size() - 1 : nodes.size()));
      String key = "k" + rnd.nextInt(3);
      String value = "p" + process + "-" + (n++);
      int kind = rnd.nextInt(5);
      long call = System.nanoTime() - origin;
      Operation op;
      try {
        switch (kind) {
          case 0 -> {
            Optional<Versioned<byte[]>> v = s.get(key);
            op = Operation.get(process, key, v.map(x -> new String(x.value(), UTF_8)).orElse(null),
                v.map(Versioned::version).orElse(0L), call, System.nanoTime() - origin);
          }
          case 1 -> {
            long version = s.put(key, value.getBytes(UTF_8));
            op = Operation.put(process, key, value, version, call, System.nanoTime() - origin);
          }
          case 2 -> {
            boolean applied = s.delete(key);
            op = Operation.delete(process, key, applied, call, System.nanoTime() - origin);
          }
          case 3 -> {
            long expected = s.get(key).map(Versioned::version).orElse(0L);
            call = System.nanoTime() - origin;
            boolean applied = s.compareAndSet(key, expected, value.getBytes(UTF_8));
            op = Operation.cas(process, key, expected, value, applied, Operation.UNKNOWN_VERSION,
                call, System.nanoTime() - origin);
          }
          default -> {
            boolean applied = s.putIfAbsent(key, value.getBytes(UTF_8));
            op = Operation.putIfAbsent(process, key, value, applied, Operation.UNKNOWN_VERSION,
                call, System.nanoTime() - origin);
          }
        }
      } catch (RuntimeException e) {
        long ret = System.nanoTime() - origin;
        Operation shape = shapeOf(kind, process, key, value, call, ret);
        boolean definite = e instanceof QuorumUnavailableException || e instanceof ContentionException;
        op = definite ? shape.failed() : shape.unknown();
      }
      history.add(op);
      if (op.status() == Status.UNKNOWN) {
        process = processes.getAndIncrement(); // never two operations in flight for one process
      }
    }
  }

  private static Operation shapeOf(int kind, int process, String key, String value, long call, long ret) {
    return switch (kind) {
      case 0 -> Operation.get(process, key, null, 0, call, ret);
      case 1 -> Operation.put(process, key, value, Operation.UNKNOWN_VERSION, call, ret);
      case 2 -> Operation.delete(process, key, false, call, ret);
      case 3 -> new Operation(process, Kind.CAS, key, value, 0, Status.OK, false,
          Operation.UNKNOWN_VERSION, call, ret);
      default -> Operation.putIfAbsent(process, key, value, false, Operation.UNKNOWN_VERSION, call, ret);
    };
  }
}
