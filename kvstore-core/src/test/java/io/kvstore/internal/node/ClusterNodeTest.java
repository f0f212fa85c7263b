package io.kvstore.internal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.KvStore;
import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.internal.membership.InMemoryTransport;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.partition.Partitioner;
import io.kvstore.internal.partition.Placement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replicated stores on real threads over an in-process transport. */
class ClusterNodeTest {
  private final InMemoryTransport.Network network = new InMemoryTransport.Network();
  private final List<KvStore> stores = new ArrayList<>();
  private final List<InMemoryTransport> transports = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (KvStore s : stores) {
      s.close();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private KvStore node(String name, int port, int expect, String... seeds) {
    InMemoryTransport t = new InMemoryTransport(network);
    transports.add(t);
    KvStore s = KvStore.builder().nodeName(name).transport(t).membershipProfile("local")
        .clusterAddress("127.0.0.1:" + port).seeds(seeds).bootstrapExpect(expect)
        .operationTimeout(Duration.ofSeconds(3)).deadMemberGrace(Duration.ofSeconds(2)).build();
    stores.add(s);
    return s;
  }

  private static boolean formed(KvStore s) {
    return ((ClusterNode) ((SyncKvStore) s).engine()).clusterConfig() != null;
  }

  private List<KvStore> threeNodes() throws InterruptedException {
    KvStore a = node("a", 1, 3, "127.0.0.1:2", "127.0.0.1:3");
    KvStore b = node("b", 2, 3, "127.0.0.1:1", "127.0.0.1:3");
    KvStore c = node("c", 3, 3, "127.0.0.1:1", "127.0.0.1:2");
    a.start();
    b.start();
    c.start();
    await("the cluster to form", () -> formed(a) && formed(b) && formed(c));
    return List.of(a, b, c);
  }

  @Test
  void aWriteThroughOneNodeIsReadThroughEveryNode() throws Exception {
    List<KvStore> n = threeNodes();
    long v = n.get(0).put("mykey", "test123".getBytes(UTF_8));
    for (KvStore s : n) {
      assertThat(new String(s.get("mykey").orElseThrow().value(), UTF_8)).isEqualTo("test123");
      assertThat(s.get("mykey").orElseThrow().version()).isEqualTo(v);
    }
    assertThat(n.get(1).compareAndSet("mykey", v, "x".getBytes(UTF_8))).isTrue();
    assertThat(n.get(2).compareAndSet("mykey", v, "y".getBytes(UTF_8))).isFalse();
    assertThat(n.get(2).delete("mykey")).isTrue();
    assertThat(n.get(0).get("mykey")).isEmpty();
    assertThat(n.get(1).putIfAbsent("mykey", "z".getBytes(UTF_8))).isTrue();
    assertThat(n.get(0).get("mykey").orElseThrow().version()).isGreaterThan(v + 1);
  }

  @Test
  void writesSurviveTheLossOfOneNodeAndAMajorityLossRefusesClearly() throws Exception {
    List<KvStore> n = threeNodes();
    for (int i = 0; i < 50; i++) {
      n.get(i % 3).put("k" + i, ("v" + i).getBytes(UTF_8));
    }
    transports.get(2).close(); // node c drops off the network abruptly
    // Writes that c coordinated are refused as unknown until membership suspects c; after that
    // a and b coordinate them.
    await("a and b to suspect c", () -> n.get(0).members().stream().filter(
        m -> m.id().name().equals("c") && m.status() != io.kvstore.MemberStatus.ALIVE).count() == 1
        && n.get(1).members().stream().filter(
        m -> m.id().name().equals("c") && m.status() != io.kvstore.MemberStatus.ALIVE).count() == 1);
    for (int i = 0; i < 50; i++) {
      assertThat(new String(n.get(i % 2).get("k" + i).orElseThrow().value(), UTF_8)).isEqualTo("v" + i);
      n.get(i % 2).put("k" + i, ("w" + i).getBytes(UTF_8));
    }
    transports.get(1).close(); // now a majority of every replica set is gone
    await("node a to see b and c down", () -> n.get(0).members().stream()
        .filter(m -> m.status() == io.kvstore.MemberStatus.ALIVE).count() == 1);
    // The membership view reaches the replica loop a moment after members() shows it: a write
    // forwarded to b in that moment ends as unknown when b is declared dead, which is correct.
    // Once the view has arrived, every write is refused as unavailable.
    await("node a to refuse writes as unavailable", () -> {
      try {
        n.get(0).put("k1", "x".getBytes(UTF_8));
        throw new AssertionError("a write succeeded without a majority");
      } catch (QuorumUnavailableException e) {
        return true;
      } catch (io.kvstore.OutcomeUnknownException e) {
        return false;
      }
    });
    assertThatThrownBy(() -> n.get(0).put("k1", "x".getBytes(UTF_8)))
        .isInstanceOf(QuorumUnavailableException.class);
    assertThatThrownBy(() -> n.get(0).get("k1")).isInstanceOf(QuorumUnavailableException.class);
  }

  private static io.kvstore.ClusterView view(KvStore s) {
    return s.cluster().orElse(null);
  }

  /** Every store has installed the same final configuration, with exactly {@code n} members. */
  private static boolean settled(List<KvStore> stores, int n) {
    long epoch = -1;
    for (KvStore s : stores) {
      io.kvstore.ClusterView v = view(s);
      if (v == null || !v.previousMembers().isEmpty() || v.members().size() != n || !v.ready()) {
        return false;
      }
      if (epoch >= 0 && v.epoch() != epoch) {
        return false;
      }
      epoch = v.epoch();
    }
    return true;
  }

  private static void writeKeys(KvStore s, int count, String prefix) {
    for (int i = 0; i < count; i++) {
      s.put("key-" + i, (prefix + i).getBytes(UTF_8));
    }
  }

  private static void assertKeys(KvStore s, int count, String prefix) {
    for (int i = 0; i < count; i++) {
      String expected = prefix + i;
      assertThat(s.get("key-" + i)).as("key-" + i + " through " + s.nodeId())
          .hasValueSatisfying(v -> assertThat(new String(v.value(), UTF_8)).isEqualTo(expected));
    }
  }

  @Test
  void aJoiningNodeIsAddedCaughtUpAndKeepsTheDataWhenTheOthersLeave() throws Exception {
    List<KvStore> n = threeNodes();
    writeKeys(n.get(0), 300, "v");
    KvStore d = node("d", 4, 1, "127.0.0.1:1");
    d.start();
    List<KvStore> four = List.of(n.get(0), n.get(1), n.get(2), d);
    await("d to be added and caught up", () -> settled(four, 4));
    io.kvstore.ClusterView v = view(d);
    assertThat(v.voter()).isTrue();
    assertThat(v.replicasPerMember().get(d.nodeId())).isPositive();
    assertThat(v.replicasPerMember().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(v.partitions() * 3);
    assertThat(v.maxReplicasPerMember() - v.minReplicasPerMember()).isLessThan(v.partitions() / 4);
    // Two of the original members leave gracefully, one after the other: each hands its partitions
    // off first, so every key survives on d and c alone.
    n.get(0).close();
    await("a's departure to complete", () -> settled(List.of(n.get(1), n.get(2), d), 3));
    n.get(1).close();
    await("b's departure to complete", () -> settled(List.of(n.get(2), d), 2));
    assertKeys(d, 300, "v");
    assertKeys(n.get(2), 300, "v");
  }

  @Test
  void anOperatorRemovesAMemberWhichStopsAndTheDataStays() throws Exception {
    List<KvStore> n = threeNodes();
    writeKeys(n.get(1), 100, "r");
    long epoch = n.get(0).removeMember("c").get(10, TimeUnit.SECONDS);
    assertThat(epoch).isGreaterThan(1);
    await("the removal to complete", () -> settled(List.of(n.get(0), n.get(1)), 2));
    await("c to stop", () -> n.get(2).state() == io.kvstore.NodeState.CLOSED);
    assertKeys(n.get(0), 100, "r");
    assertThatThrownBy(() -> n.get(0).removeMember("nobody").join())
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRestartedNodeReplacesItsPredecessorAndASecondCrashLosesNothing() throws Exception {
    List<KvStore> n = threeNodes();
    writeKeys(n.get(0), 200, "x");
    transports.get(2).close(); // c crashes: its memory is gone
    KvStore c2 = node("c", 3, 3, "127.0.0.1:1", "127.0.0.1:2");
    c2.start();
    List<KvStore> now = List.of(n.get(0), n.get(1), c2);
    await("the restarted c to replace its predecessor", () -> settled(now, 3)
        && view(c2).members().contains(c2.nodeId()));
    // Now a crashes too: b and the caught-up c still hold a majority of every partition.
    transports.get(0).close();
    await("b to see a down", () -> n.get(1).members().stream().anyMatch(
        m -> m.id().equals(n.get(0).nodeId()) && m.status() != io.kvstore.MemberStatus.ALIVE));
    assertKeys(c2, 200, "x");
  }

  @Test
  void nodesStartedToJoinAreNeverFoundingMembers() throws Exception {
    // A node started with bootstrap-expect (say a member restarted with its original flags, so
    // with no memory of its cluster) beside two nodes started to join: if the cluster they should
    // join is out of reach, they must wait for it, never found a cluster of their own.
    KvStore a = node("a", 1, 3, "127.0.0.1:2", "127.0.0.1:3");
    KvStore b = node("b", 2, 1, "127.0.0.1:1");
    KvStore c = node("c", 3, 1, "127.0.0.1:1");
    a.start();
    b.start();
    c.start();
    await("a to see b and c alive", () -> a.members().stream()
        .filter(m -> m.status() == io.kvstore.MemberStatus.ALIVE).count() == 3);
    Thread.sleep(4000); // more than twice the time a founder lets announcements arrive first
    assertThat(formed(a) || formed(b) || formed(c)).as("a cluster was formed").isFalse();
    // Founders that sort after a waiting node still form, and then add it.
    KvStore d = node("d", 4, 3, "127.0.0.1:1", "127.0.0.1:5");
    KvStore e = node("e", 5, 3, "127.0.0.1:1", "127.0.0.1:4");
    d.start();
    e.start();
    await("the founders to form and add the waiting nodes", () -> settled(List.of(a, b, c, d, e), 5));
  }

  @Test
  void aClusterFormedSeparatelyIsNeverMergedIn() throws Exception {
    KvStore z = node("z", 9, 1); // no seeds: forms a cluster of its own
    z.start();
    await("z to form alone", () -> formed(z));
    z.put("k", "z".getBytes(UTF_8));
    List<KvStore> abc = threeNodes(); // another cluster with the same name, formed separately
    await("a, b and c to form", () -> settled(abc, 3));
    abc.get(0).put("k", "a".getBytes(UTF_8));
    // A node whose seeds reach both clusters makes their membership gossip meet.
    KvStore d = node("d", 4, 1, "127.0.0.1:1", "127.0.0.1:9");
    d.start();
    await("a to see z alive", () -> abc.get(0).members().stream().anyMatch(
        m -> m.id().equals(z.nodeId()) && m.status() == io.kvstore.MemberStatus.ALIVE));
    // Several announcement rounds later, neither cluster has taken a member of the other.
    Thread.sleep(4000);
    for (KvStore s : abc) {
      assertThat(view(s).members()).doesNotContain(z.nodeId());
    }
    assertThat(view(z).members()).doesNotContain(abc.get(0).nodeId(), abc.get(1).nodeId(), abc.get(2).nodeId());
    assertThat(view(z).epoch()).isNotEqualTo(0);
    assertThat(new String(z.get("k").orElseThrow().value(), UTF_8)).isEqualTo("z");
    assertThat(new String(abc.get(1).get("k").orElseThrow().value(), UTF_8)).isEqualTo("a");
  }

  private static ClusterNode engine(KvStore s) {
    return (ClusterNode) ((SyncKvStore) s).engine();
  }

  /** Waits until every replica of every {@code key-i} holds a value of it (not only a majority). */
  private static void awaitFullyReplicated(List<KvStore> stores, int count) throws Exception {
    ClusterConfig c = engine(stores.get(0)).clusterConfig();
    Placement placement = new Placement(c);
    Partitioner partitioner = new Partitioner(c.partitions());
    for (int i = 0; i < count; i++) {
      String key = "key-" + i;
      for (NodeId r : placement.replicas(partitioner.partitionOf(key))) {
        KvStore holder = stores.stream().filter(s -> s.nodeId().equals(r)).findFirst().orElseThrow();
        await(key + " on " + r, () -> engine(holder).holdsLocally(key).join());
      }
    }
  }

  /** Whether {@code observer} sees each of {@code gone} as neither alive nor suspect. */
  private static boolean seesGone(KvStore observer, List<KvStore> gone) {
    for (KvStore g : gone) {
      boolean down = observer.members().stream().anyMatch(m -> m.id().equals(g.nodeId())
          && m.status() != MemberStatus.ALIVE && m.status() != MemberStatus.SUSPECT);
      if (!down) {
        return false;
      }
    }
    return true;
  }

  /** Throws the cause of a failed recovery. */
  private static long recover(KvStore s, List<String> survivors) throws Exception {
    try {
      return s.forceRecovery(survivors).get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /**
   * The recovery, once membership shows the voters' majority gone. The view reaches the
   * configuration side on its next tick, so a refusal as not needed is retried until then; so is
   * one that met a configuration operation started before the loss (it ends at its deadline).
   */
  private static long recoverOnceNeeded(KvStore s, List<String> survivors) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      RuntimeException refusal;
      try {
        return recover(s, survivors);
      } catch (IllegalStateException e) {
        assertThat(e).hasMessageContaining("not needed");
        refusal = e;
      } catch (io.kvstore.ContentionException e) {
        refusal = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the recovery stayed refused", refusal);
      }
      Thread.sleep(50);
    }
  }

  private static void awaitUnavailable(KvStore s) throws InterruptedException {
    await("writes refused as unavailable", () -> {
      try {
        s.put("key-0", "x".getBytes(UTF_8));
        throw new AssertionError("a write succeeded without a majority");
      } catch (QuorumUnavailableException e) {
        return true;
      } catch (io.kvstore.OutcomeUnknownException e) {
        return false;
      }
    });
  }

  @Test
  void aForcedRecoveryRevivesTheSurvivorOfAMajorityLossAndANewNodeCatchesUp() throws Exception {
    List<KvStore> n = threeNodes();
    KvStore a = n.get(0);
    writeKeys(a, 100, "v");
    awaitFullyReplicated(n, 100);
    long before = view(a).epoch();
    assertThatThrownBy(() -> recover(a, List.of()))
        .as("every voter is alive").isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not needed");
    transports.get(2).close(); // c crashes: b and a are still a majority of the voters
    await("a to see c gone", () -> seesGone(a, List.of(n.get(2))));
    assertThatThrownBy(() -> recover(a, List.of()))
        .as("two of three voters are alive").isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not needed");
    transports.get(1).close(); // b crashes too: the voters lost their majority for good
    await("a to see b and c gone", () -> seesGone(a, List.of(n.get(1), n.get(2))));
    awaitUnavailable(a);
    await("a dead member to be refused as a survivor", () -> {
      try {
        recover(a, List.of("b"));
        throw new AssertionError("a recovery kept a dead member");
      } catch (IllegalArgumentException e) {
        return e.getMessage().contains("not alive");
      } catch (IllegalStateException | io.kvstore.ContentionException e) {
        return false; // the configuration side has not seen b go yet
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });

    long epoch = recoverOnceNeeded(a, List.of());

    assertThat(epoch).isGreaterThan(before);
    await("the forced change to complete", () -> settled(List.of(a), 1));
    assertThat(view(a).members()).containsExactly(a.nodeId());
    assertKeys(a, 100, "v");
    a.put("after", "recovery".getBytes(UTF_8));
    assertThat(new String(a.get("after").orElseThrow().value(), UTF_8)).isEqualTo("recovery");
    // A new node joins the recovered cluster through the usual change, and catches up.
    KvStore d = node("d", 4, 1, "127.0.0.1:1");
    d.start();
    await("d to be added and caught up", () -> settled(List.of(a, d), 2));
    assertKeys(d, 100, "v");
    assertThat(new String(d.get("after").orElseThrow().value(), UTF_8)).isEqualTo("recovery");
  }

  @Test
  void aForcedRecoveryKeepsEveryKeyAnOldReplicaSurvivedWith() throws Exception {
    KvStore[] s = new KvStore[5];
    String[] names = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++) {
      List<String> seeds = new ArrayList<>();
      for (int j = 0; j < 5; j++) {
        if (j != i) {
          seeds.add("127.0.0.1:" + (j + 1));
        }
      }
      s[i] = node(names[i], i + 1, 5, seeds.toArray(String[]::new));
    }
    for (KvStore x : s) {
      x.start();
    }
    List<KvStore> all = List.of(s);
    await("the cluster to form", () -> settled(all, 5));
    writeKeys(s[0], 200, "v");
    awaitFullyReplicated(all, 200);
    ClusterConfig old = engine(s[0]).clusterConfig();
    for (int i = 2; i < 5; i++) {
      transports.get(i).close(); // c, d and e crash: three of five voters
    }
    await("a to see c, d and e gone", () -> seesGone(s[0], List.of(s[2], s[3], s[4])));

    recoverOnceNeeded(s[0], List.of("b"));

    await("the forced change to complete", () -> settled(List.of(s[0], s[1]), 2));
    Placement placement = new Placement(old);
    Partitioner partitioner = new Partitioner(old.partitions());
    int kept = 0;
    int lost = 0;
    for (int i = 0; i < 200; i++) {
      String key = "key-" + i;
      List<NodeId> replicas = placement.replicas(partitioner.partitionOf(key));
      boolean survived = replicas.contains(s[0].nodeId()) || replicas.contains(s[1].nodeId());
      KvStore via = s[i % 2];
      if (survived) {
        kept++;
        assertThat(via.get(key)).as(key + " had a surviving replica")
            .hasValueSatisfying(v -> assertThat(new String(v.value(), UTF_8)).isEqualTo("v" + key.substring(4)));
      } else {
        lost++;
        assertThat(via.get(key)).as(key + " lived only on the dropped members").isEmpty();
      }
    }
    assertThat(kept).isPositive();
    assertThat(lost).as("some partitions lived only on c, d and e").isPositive();
    s[1].put("key-0", "new".getBytes(UTF_8));
    assertThat(new String(s[0].get("key-0").orElseThrow().value(), UTF_8)).isEqualTo("new");
  }

  @Test
  void reservedKeysAreRefused() throws Exception {
    List<KvStore> n = threeNodes();
    assertThatThrownBy(() -> n.get(0).get("\u0000kvstore/config"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
