package io.kvstore.internal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.KvStore;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.internal.membership.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        .operationTimeout(Duration.ofSeconds(3)).build();
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

  @Test
  void aLateNodeWithSeedsInstallsTheFormedConfigurationAndServesAsProxy() throws Exception {
    List<KvStore> n = threeNodes();
    n.get(0).put("shared", "1".getBytes(UTF_8));
    KvStore late = node("d", 4, 1, "127.0.0.1:1");
    late.start();
    await("d to learn the configuration", () -> formed(late));
    io.kvstore.ClusterView view = late.cluster().orElseThrow();
    assertThat(view.voter()).isFalse();
    assertThat(view.members()).hasSize(3);
    assertThat(view.replicationFactor()).isEqualTo(3);
    assertThat(view.primariesPerMember().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(view.partitions());
    assertThat(view.replicasPerMember().values()).allMatch(c -> c == view.partitions());
    assertThat(n.get(0).cluster().orElseThrow().voter()).isTrue();
    assertThat(new String(late.get("shared").orElseThrow().value(), UTF_8)).isEqualTo("1");
    late.put("shared", "2".getBytes(UTF_8));
    assertThat(new String(n.get(2).get("shared").orElseThrow().value(), UTF_8)).isEqualTo("2");
  }

  @Test
  void reservedKeysAreRefused() throws Exception {
    List<KvStore> n = threeNodes();
    assertThatThrownBy(() -> n.get(0).get("\u0000kvstore/config"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
