package io.kvstore.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterScenarioTest {
  private static SwimHarness massStart(MembershipConfig config, long seed, int n) {
    SwimHarness h = new SwimHarness(config, seed);
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      h.addNode("node-" + i);
      all.add(i);
    }
    for (int i = 0; i < n; i++) {
      h.join(i, all);
    }
    return h;
  }

  @Test
  void fiveNodesConvergeAfterMassStart() {
    SwimHarness h = massStart(MembershipConfig.lan(), 1, 5);
    long took = h.advanceUntilConverged(30_000_000_000L);
    System.out.printf("mass start of 5 converged after %.3f s (virtual)%n", took / 1e9);
    assertThat(took).isNotNegative();
  }

  @Test
  void crashedNodeIsSuspectedThenDeclaredDead() {
    SwimHarness h = massStart(MembershipConfig.lan(), 2, 5);
    assertThat(h.advanceUntilConverged(30_000_000_000L)).isNotNegative();
    h.advanceSeconds(5);
    NodeId victim = h.nodes.get(4).self();
    long crashAt = h.now;
    h.crash(4);
    h.advanceSeconds(30);
    for (int i = 0; i < 4; i++) {
      long s = h.firstSeen(i, victim, MembershipEvent.Type.SUSPECTED, crashAt);
      long d = h.firstSeen(i, victim, MembershipEvent.Type.FAILED, crashAt);
      System.out.printf("node %d: suspected after %.3f s, dead after %.3f s%n", i,
          (s - crashAt) / 1e9, (d - crashAt) / 1e9);
      assertThat(d).isGreaterThan(0);
    }
  }
}
