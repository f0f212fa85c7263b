package io.kvstore.sim.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.internal.replication.ReplicationConfig;
import io.kvstore.sim.SeedRunner;
import org.junit.jupiter.api.Test;

/**
 * The replication core is linearizable under loss, duplication, reordering, long delays, partitions
 * (minority, majority, bridge, one-way), slow nodes and crashes of a minority that restart without
 * their state, and it is live again once the faults heal. Every history is checked by the
 * linearizability checker; the fast paths must have been exercised.
 *
 * <p>More seeds: {@code -Dsim.seeds=2000}; replay one: {@code -Dsim.seed=S} (printed on failure).
 */
final class ReplicationSimulationTest {
  private static final int OPS = 50;

  /**
   * Fixed seeds run first. The two long ones once produced histories too full of unknown writes for
   * the checker's budget, when nodes never learned of a crashed coordinator; they stay as inputs.
   * 5678499771331644424 caught a forwarding replica answering "not applied" from a write-back
   * accept while its coordinator, not knowing, later applied the write.
   */
  private static final long[] REGRESSION = {
    1, 2, 3, 42, 0xdecafL, 715774849086270707L, 657632854980959138L, 5678499771331644424L
  };

  private static ReplicationScenario.Shape shape(
      String name, int nodes, int rf, int partitions, int keys) {
    return new ReplicationScenario.Shape(
        name, nodes, rf, partitions, keys, i -> ReplicationConfig.defaults(), 7, 4_000, 0.02);
  }

  @Test
  void threeNodesAreLinearizable() {
    check(shape("3n", 3, 3, 4, 3), 400, "threeNodesAreLinearizable");
  }

  @Test
  void fiveNodesAreLinearizable() {
    check(shape("5n", 5, 5, 4, 4), 250, "fiveNodesAreLinearizable");
  }

  @Test
  void fiveNodesWithThreeReplicasAreLinearizable() {
    check(shape("5n-rf3", 5, 3, 16, 5), 250, "fiveNodesWithThreeReplicasAreLinearizable");
  }

  @Test
  void aSeedReplaysIdentically() {
    ReplicationScenario.Shape shape = shape("3n-determinism", 3, 3, 4, 3);
    long seed = 7;
    var plan = ReplicationScenario.plan(seed, shape, 20);
    ReplicationScenario.Stats first = new ReplicationScenario.Stats();
    ReplicationScenario.Stats second = new ReplicationScenario.Stats();
    assertThat(ReplicationScenario.run(seed, plan, shape, first)).isNull();
    assertThat(ReplicationScenario.run(seed, plan, shape, second)).isNull();
    assertThat(second.lastTraceHash).isEqualTo(first.lastTraceHash);
    assertThat(second.toString()).isEqualTo(first.toString());
    ReplicationScenario.Stats other = new ReplicationScenario.Stats();
    assertThat(ReplicationScenario.run(seed + 1, plan, shape, other)).isNull();
    assertThat(other.lastTraceHash).isNotEqualTo(first.lastTraceHash);
  }

  private static void check(ReplicationScenario.Shape shape, int fresh, String method) {
    ReplicationScenario.Stats stats = new ReplicationScenario.Stats();
    long start = System.nanoTime();
    int seeds =
        SeedRunner.runAll(
            REGRESSION,
            fresh,
            seed -> ReplicationScenario.plan(seed, shape, OPS),
            (seed, plan) -> ReplicationScenario.run(seed, plan, shape, stats),
            ReplicationSimulationTest.class,
            method);
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "%s: %d seeds in %.1f s (%.1f seeds/s, %.0f ops/s): %s%n",
        method, seeds, secs, seeds / secs, stats.operations / secs, stats);
    assertThat(stats.fastReads).as("fast reads exercised").isPositive();
    assertThat(stats.thriftyReads).as("reads asking a bare majority first").isPositive();
    assertThat(stats.hedgedReads).as("reads that asked the other replicas after the hedge delay").isPositive();
    assertThat(stats.onePhaseWrites).as("one-phase writes exercised").isPositive();
    assertThat(stats.purged).as("tombstones purged").isPositive();
    if (shape.rf() == 3) {
      // Coordinator and forwarding replica are a quorum of three: forwarded writes are answered
      // by the replica that forwarded them, on taking the accept.
      assertThat(stats.answersSent).as("accepts carrying the outcome to the forwarder").isPositive();
      assertThat(stats.answeredOnAccept).as("writes answered on taking the accept").isPositive();
    } else {
      // Two of five are no quorum: the coordinator's reply stays the only answer.
      assertThat(stats.answersSent).as("accepts carrying the outcome with five replicas").isZero();
    }
  }
}
