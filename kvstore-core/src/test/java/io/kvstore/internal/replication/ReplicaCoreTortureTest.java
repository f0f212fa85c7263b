package io.kvstore.internal.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.internal.replication.ReplicationConfig.Mutation;
import org.junit.jupiter.api.Test;

class ReplicaCoreTortureTest {
  private static final long SECOND = 1_000_000_000L;

  private static CounterTorture run(long seed, ReplicationConfig config) {
    CounterTorture t = new CounterTorture(seed, 5, config);
    long until = 20 * SECOND;
    t.startTicks(until);
    for (int c = 0; c < 6; c++) {
      t.at(c * 1_000_000L, () -> t.client(until));
    }
    // Cut a random node off now and then, and heal it.
    for (long at = SECOND; at < until; at += 2 * SECOND) {
      int victim = t.random.nextInt(5);
      t.at(at, () -> t.isolated[victim] = true);
      t.at(at + SECOND, () -> t.isolated[victim] = false);
    }
    t.run(until);
    return t;
  }

  @Test
  void noAcknowledgedIncrementIsLostUnderFaults() {
    for (long seed = 1; seed <= 20; seed++) {
      CounterTorture t = run(seed, ReplicationConfig.defaults());
      long value = t.finalValue();
      System.out.printf("seed %d: value=%d acked=%d unknown=%d failed=%d fast-reads=%d%n", seed, value,
          t.acked, t.unknown, t.failed, t.cores.values().stream().mapToLong(c -> c.proposer().fastReads()).sum());
      assertThat(t.acked).as("seed %d made progress", seed).isGreaterThan(20);
      assertThat(value)
          .as("seed %d: acked=%d unknown=%d failed=%d", seed, t.acked, t.unknown, t.failed)
          .isBetween(t.acked, t.acked + t.unknown);
    }
  }

  @Test
  void aQuorumOneTooSmallIsCaught() {
    boolean caught = false;
    for (long seed = 1; seed <= 30 && !caught; seed++) {
      CounterTorture t = run(seed, ReplicationConfig.defaults().withMutation(Mutation.QUORUM_ONE_SMALLER));
      long value = t.finalValue();
      caught = value < t.acked || value > t.acked + t.unknown;
    }
    assertThat(caught).as("the broken quorum lost or duplicated an increment").isTrue();
  }
}
