package io.kvstore.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.internal.membership.MembershipMetrics.Counter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Multi-node scenarios on {@link SwimHarness} in virtual time with default (LAN) settings. The
 * virtual times measured are printed (see the surefire output); assertions check protocol bounds.
 */
class ClusterScenarioTest {
  private static final long S = 1_000_000_000L;

  static SwimHarness massStart(MembershipConfig config, long seed, int n) {
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

  private static double median(double[] xs) {
    double[] c = xs.clone();
    Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  @Test
  void fiveNodesStartedTogetherWithEachOtherAsSeedsConvergeToOneCluster() {
    for (long seed = 1; seed <= 10; seed++) {
      SwimHarness h = massStart(MembershipConfig.lan(), seed, 5);
      long took = h.advanceUntilConverged(30 * S);
      assertThat(took).as("seed %d", seed).isNotNegative();
      h.advanceSeconds(60);
      assertThat(h.converged()).isTrue();
      assertThat(h.count(MembershipEvent.Type.SUSPECTED)).isZero();
    }
  }

  @Test
  void nodesJoiningThroughOneSeedLearnEveryone() {
    SwimHarness h = new SwimHarness(MembershipConfig.lan(), 3);
    h.addNode("node-0");
    h.join(0, List.of());
    for (int i = 1; i < 8; i++) {
      h.addNode("node-" + i);
      h.join(i, List.of(0));
      h.advanceSeconds(0.5);
    }
    assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
  }

  @Test
  void crashedNodeIsSuspectedThenDeclaredDeadByEverySurvivor() {
    int runs = 21;
    double[] allSuspect = new double[runs];
    double[] allDead = new double[runs];
    for (int r = 0; r < runs; r++) {
      SwimHarness h = massStart(MembershipConfig.lan(), 100 + r, 5);
      assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
      h.advanceSeconds(10 + (r % 7) * 0.13);
      int victim = r % 5;
      NodeId id = h.nodes.get(victim).self();
      long crashAt = h.now;
      h.crash(victim);
      h.advanceSeconds(40);
      long lastSuspect = 0;
      long lastDead = 0;
      for (int i = 0; i < 5; i++) {
        if (i == victim) {
          continue;
        }
        long s = h.firstSeen(i, id, MembershipEvent.Type.SUSPECTED, crashAt);
        long d = h.firstSeen(i, id, MembershipEvent.Type.FAILED, crashAt);
        assertThat(d).as("run %d node %d declares the crashed node dead", r, i).isPositive();
        // a survivor may learn "dead" before it ever suspected; count that as its suspicion
        s = s < 0 ? d : Math.min(s, d);
        lastSuspect = Math.max(lastSuspect, s - crashAt);
        lastDead = Math.max(lastDead, d - crashAt);
      }
      allSuspect[r] = lastSuspect / 1e9;
      allDead[r] = lastDead / 1e9;
      // protocol bound: detection within a few probe rounds plus the maximum suspicion timeout
      assertThat(lastDead).isLessThan(30 * S);
    }
    System.out.printf(
        "n=5 lan crash detection over %d runs: suspected by all survivors median %.2f s (max %.2f),"
            + " dead by all median %.2f s (max %.2f)%n",
        runs, median(allSuspect), Arrays.stream(allSuspect).max().orElse(0),
        median(allDead), Arrays.stream(allDead).max().orElse(0));
  }

  private static void lossyRun(double datagramLoss, double streamLoss, long seed,
      long[] totals) {
    SwimHarness h = massStart(MembershipConfig.lan(), seed, 5);
    assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
    h.datagramLoss = datagramLoss;
    h.streamLoss = streamLoss;
    h.advanceSeconds(600);
    totals[0] += h.count(MembershipEvent.Type.FAILED);
    totals[1] += h.count(MembershipEvent.Type.SUSPECTED);
    for (SwimCore c : h.nodes) {
      totals[2] += c.metrics().get(Counter.SELF_REFUTATIONS);
      totals[3] += c.metrics().get(Counter.PROBES);
    }
    assertThat(h.converged()).isTrue();
  }

  @Test
  void tenPercentLossForTenMinutesCausesNoFalseDeaths() {
    long[] totals = new long[4];
    for (long seed = 1; seed <= 3; seed++) {
      lossyRun(0.10, 0.0, seed, totals);
    }
    System.out.printf("10%% datagram loss, 3 x 10 min, n=5: false deaths %d, suspicions %d,"
        + " refutations %d, probes %d%n", totals[0], totals[1], totals[2], totals[3]);
    assertThat(totals[0]).isZero();
  }

  @Test
  void tenPercentLossOnStreamsTooStillCausesNoFalseDeaths() {
    long[] totals = new long[4];
    for (long seed = 1; seed <= 3; seed++) {
      lossyRun(0.10, 0.10, seed, totals);
    }
    System.out.printf("10%% datagram and stream loss, 3 x 10 min, n=5: false deaths %d,"
        + " suspicions %d, refutations %d, probes %d%n", totals[0], totals[1], totals[2],
        totals[3]);
    assertThat(totals[0]).isZero();
  }

  @Test
  void healedPartitionReconverges() {
    SwimHarness h = massStart(MembershipConfig.lan(), 7, 6);
    assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
    for (int i = 3; i < 6; i++) {
      h.partition(i, 1);
    }
    h.advanceSeconds(60);
    // each side declared the other dead
    assertThat(h.statusIn(0, h.nodes.get(4).self())).isIn(MemberStatus.DEAD, null);
    assertThat(h.statusIn(4, h.nodes.get(0).self())).isIn(MemberStatus.DEAD, null);
    h.heal();
    long took = h.advanceUntilConverged(120 * S);
    System.out.printf("partition 3|3 healed: reconverged after %.2f s%n", took / 1e9);
    assertThat(took).isNotNegative();
  }

  @Test
  void partitionLongerThanTheReapTimeStillHeals() {
    MembershipConfig cfg = MembershipConfig.lan().withDeadReap(20 * S);
    SwimHarness h = massStart(cfg, 8, 4);
    assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
    h.partition(2, 1);
    h.partition(3, 1);
    h.advanceSeconds(120); // dead members reaped on both sides
    assertThat(h.statusIn(0, h.nodes.get(3).self())).isNull();
    h.heal();
    long took = h.advanceUntilConverged(120 * S);
    System.out.printf("partition beyond reap time healed after %.2f s (seed retries)%n",
        took / 1e9);
    assertThat(took).isNotNegative();
  }

  @Test
  void newProcessAtACrashedMembersAddressReplacesIt() {
    SwimHarness h = massStart(MembershipConfig.lan(), 9, 5);
    assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
    NodeId old = h.nodes.get(2).self();
    h.crash(2);
    h.advanceSeconds(40);
    assertThat(h.statusIn(0, old)).isEqualTo(MemberStatus.DEAD);
    h.restart(2, 0xB007);
    h.join(2, List.of(0, 1));
    long took = h.advanceUntilConverged(30 * S);
    assertThat(took).isNotNegative();
    for (int i = 0; i < 5; i++) {
      assertThat(h.statusIn(i, old)).as("node %d forgot the old identity", i).isNull();
    }
  }

  @Test
  void quickRestartBeforeDetectionStillReplacesTheOldIdentity() {
    SwimHarness h = massStart(MembershipConfig.lan(), 10, 5);
    assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
    NodeId old = h.nodes.get(2).self();
    h.crash(2);
    h.restart(2, 0xB008);
    h.join(2, List.of(0, 1, 3, 4));
    h.advanceSeconds(60);
    assertThat(h.converged()).isTrue();
    for (int i = 0; i < 5; i++) {
      assertThat(h.statusIn(i, old)).isIn(MemberStatus.DEAD, null);
    }
  }

  @Test
  void gracefulLeaveIsSeenByEveryone() {
    SwimHarness h = massStart(MembershipConfig.lan(), 11, 5);
    assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
    NodeId leaver = h.nodes.get(1).self();
    long at = h.now;
    h.leave(1);
    h.advanceSeconds(2);
    h.crash(1);
    for (int i = 0; i < 5; i++) {
      if (i != 1) {
        assertThat(h.statusIn(i, leaver)).isEqualTo(MemberStatus.LEFT);
        assertThat(h.firstSeen(i, leaver, MembershipEvent.Type.LEFT, at)).isPositive();
      }
    }
    h.advanceSeconds(30);
    assertThat(h.count(MembershipEvent.Type.FAILED)).isZero();
  }

  private static long[] pausingRun(MembershipConfig config) {
    SwimHarness h = massStart(config, 13, 5);
    assertThat(h.advanceUntilConverged(30 * S)).isNotNegative();
    h.advanceSeconds(3);
    long[] result = new long[2];
    for (int round = 0; round < 20; round++) {
      h.pause(0, 3 * S); // node 0 stalls 3 s every 30 s (a long full GC)
      h.advanceSeconds(30);
    }
    result[0] = h.nodes.get(0).metrics().get(Counter.SUSPICIONS_RAISED);
    result[1] = h.count(MembershipEvent.Type.FAILED);
    return result;
  }

  @Test
  void stalledProcessDoesNotAccuseOthers() {
    long[] aware = pausingRun(MembershipConfig.lan());
    MembershipConfig base = MembershipConfig.lan();
    MembershipConfig unaware = new MembershipConfig(base.probeIntervalNanos(),
        base.probeTimeoutNanos(), base.indirectChecks(), base.suspicionMult(),
        base.suspicionMaxTimeoutMult(), base.retransmitMult(), base.gossipIntervalNanos(),
        base.gossipNodes(), base.gossipToDeadNanos(), base.pushPullIntervalNanos(),
        base.awarenessMax(), base.deadReapNanos(), base.maxDatagramBytes(),
        base.maxQueuedUpdates(), base.tickIntervalNanos(), 3600 * S, base.joinRetryMinNanos(),
        base.joinRetryMaxNanos());
    long[] blind = pausingRun(unaware);
    System.out.printf("20 stalls of 3 s: suspicions raised by the stalled node: %d with pause"
        + " awareness, %d without; deaths: %d / %d%n", aware[0], blind[0], aware[1], blind[1]);
    assertThat(aware[0]).isZero();
    assertThat(aware[1]).isZero();
  }

  @Test
  void perNodeTrafficStaysFlatAsTheClusterGrows() {
    double[] perNode = new double[3];
    int[] sizes = {5, 20, 50};
    for (int k = 0; k < sizes.length; k++) {
      SwimHarness h = massStart(MembershipConfig.lan(), 12, sizes[k]);
      assertThat(h.advanceUntilConverged(60 * S)).isNotNegative();
      long before = 0;
      for (SwimCore c : h.nodes) {
        before += c.metrics().get(Counter.PACKETS_OUT);
      }
      h.advanceSeconds(60);
      long after = 0;
      for (SwimCore c : h.nodes) {
        after += c.metrics().get(Counter.PACKETS_OUT);
      }
      perNode[k] = (after - before) / 60.0 / sizes[k];
    }
    System.out.printf("steady-state messages sent per node per second: n=5 %.1f, n=20 %.1f,"
        + " n=50 %.1f%n", perNode[0], perNode[1], perNode[2]);
    assertThat(perNode[2]).isLessThan(perNode[0] * 2);
  }
}
