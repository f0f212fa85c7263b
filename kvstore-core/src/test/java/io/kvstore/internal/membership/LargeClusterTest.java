package io.kvstore.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Scale check of the core on the harness (opt-in: {@code -Dswim.large=true}, it takes a while):
 * nodes join through three seeds, one crashes, everyone must declare it dead.
 */
@EnabledIfSystemProperty(named = "swim.large", matches = "true")
class LargeClusterTest {
  private static final long S = 1_000_000_000L;

  @Test
  void largeClusterConvergesAndDetectsACrash() {
    int n = Integer.getInteger("swim.large.n", 200);
    long wallStart = System.nanoTime();
    SwimHarness h = new SwimHarness(MembershipConfig.lan(), 5);
    for (int i = 0; i < n; i++) {
      h.addNode("node-" + i);
      h.join(i, List.of(0, 1, 2));
      if (i % 10 == 9) {
        h.advanceSeconds(1);
      }
    }
    long took = h.advanceUntilConverged(300 * S);
    assertThat(took).isNotNegative();
    h.advanceSeconds(30);
    NodeId victim = h.nodes.get(n / 2).self();
    long crashAt = h.now;
    h.crash(n / 2);
    h.advanceSeconds(60);
    long lastDead = 0;
    for (int i = 0; i < n; i++) {
      if (i != n / 2) {
        long d = h.firstSeen(i, victim, MembershipEvent.Type.FAILED, crashAt);
        assertThat(d).isPositive();
        lastDead = Math.max(lastDead, d - crashAt);
      }
    }
    System.out.printf("n=%d: converged %.1f s after the last join, crash declared dead by all"
        + " within %.2f s (virtual); wall time %.1f s; false deaths %d%n", n, took / 1e9,
        lastDead / 1e9, (System.nanoTime() - wallStart) / 1e9,
        h.count(MembershipEvent.Type.FAILED) - (n - 1));
  }
}
