package io.kvstore.sim.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.internal.replication.ReplicationConfig;
import io.kvstore.internal.replication.ReplicationConfig.Mutation;
import io.kvstore.sim.SeedRunner;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The replication simulation can fail: each deliberately broken variant of the core is caught by
 * the linearizability checker within a bounded, fixed set of seeds (1..{@value #SEED_LIMIT}).
 */
final class ReplicationMutationTest {
  private static final int SEED_LIMIT = Integer.getInteger("sim.mutation.seeds", 100);
  private static final int OPS = 40;

  private static ReplicationScenario.Shape shape(
      String name, IntFunction<ReplicationConfig> replication, double baseDrop) {
    return new ReplicationScenario.Shape(name, 3, 3, 4, 3, replication, 7, 4_000, baseDrop);
  }

  private static IntFunction<ReplicationConfig> all(Mutation m) {
    return i -> ReplicationConfig.defaults().withMutation(m);
  }

  @Test
  void quorumOneSmallerIsCaught() {
    caught(shape("mut-quorum", all(Mutation.QUORUM_ONE_SMALLER), 0.02), "quorumOneSmallerIsCaught");
  }

  @Test
  void readWithoutWriteBackIsCaught() {
    caught(
        shape("mut-writeback", all(Mutation.READ_WITHOUT_WRITE_BACK), 0.1),
        "readWithoutWriteBackIsCaught");
  }

  @Test
  void keepCachedBallotAfterFailureIsCaught() {
    caught(
        // Deadlines shorter than a round timeout: a write whose accept replies are lost ends with
        // its cached ballot unused by any later prepare, and the next write from that coordinator
        // reuses it over a stale value.
        shape("mut-cached", all(Mutation.KEEP_CACHED_BALLOT_AFTER_FAILURE), 0.1)
            .withDeadlines(60, 250),
        "keepCachedBallotAfterFailureIsCaught");
  }

  @Test
  void answerWithoutOwnAcceptIsCaught() {
    // A coordinator whose own accept was refused (a competing ballot reached it) still tells the
    // forwarding replica to answer on its accept alone: one accept of three is not a quorum.
    caught(
        shape("mut-answer", all(Mutation.ANSWER_WITHOUT_OWN_ACCEPT), 0.1),
        "answerWithoutOwnAcceptIsCaught");
  }

  /**
   * Alone, this mutation cannot show: a correct proposer never sends two different values under one
   * ballot (fresh ballots come from a counter above everything seen; a cached ballot is used once
   * and dropped on failure; ballots carry the boot id), so equal accepted ballots always mean equal
   * values and comparing ballots only is enough. {@link #fastReadIgnoringValuesAloneIsHarmless}
   * shows that. It takes a proposer that reuses a ballot: here node n1 keeps its cached ballot
   * after a failure (the other mutation) and the other nodes read ignoring values. To prove it is
   * the fast read that is caught, the failing seed must pass when n2 and n3 read correctly.
   */
  @Test
  void fastReadIgnoringValuesIsCaughtWithBallotReuse() {
    IntFunction<ReplicationConfig> mixed =
        i ->
            ReplicationConfig.defaults()
                .withMutation(
                    i == 0
                        ? Mutation.KEEP_CACHED_BALLOT_AFTER_FAILURE
                        : Mutation.FAST_READ_IGNORES_VALUES);
    IntFunction<ReplicationConfig> control =
        i ->
            i == 0
                ? ReplicationConfig.defaults()
                    .withMutation(Mutation.KEEP_CACHED_BALLOT_AFTER_FAILURE)
                : ReplicationConfig.defaults();
    ReplicationScenario.Shape broken = shape("mut-fastread", mixed, 0.1).withDeadlines(60, 250);
    ReplicationScenario.Shape correctReads = broken.with(control, "mut-fastread-control");
    ReplicationScenario.Stats stats = new ReplicationScenario.Stats();
    List<Long> seeds = SeedRunner.seeds(firstSeeds(), 0);
    Long caughtBy = null;
    for (long seed : seeds) {
      String failure =
          ReplicationScenario.run(seed, ReplicationScenario.plan(seed, broken, OPS), broken, stats);
      if (failure == null) {
        continue;
      }
      String controlFailure =
          ReplicationScenario.run(
              seed, ReplicationScenario.plan(seed, correctReads, OPS), correctReads, stats);
      if (controlFailure == null) {
        caughtBy = seed;
        System.out.println(
            "fastReadIgnoringValuesIsCaughtWithBallotReuse caught by seed "
                + seed
                + " (passes with correct reads); replay: "
                + SeedRunner.replayCommand(
                    ReplicationMutationTest.class,
                    "fastReadIgnoringValuesIsCaughtWithBallotReuse",
                    seed)
                + "\n"
                + failure);
        break;
      }
    }
    assertThat(caughtBy).as("no seed caught the fast read alone: %s", stats).isNotNull();
  }

  /**
   * See {@link #fastReadIgnoringValuesIsCaughtWithBallotReuse}: alone, the mutation is harmless.
   */
  @Test
  void fastReadIgnoringValuesAloneIsHarmless() {
    ReplicationScenario.Shape shape =
        shape("mut-fastread-alone", all(Mutation.FAST_READ_IGNORES_VALUES), 0.1);
    ReplicationScenario.Stats stats = new ReplicationScenario.Stats();
    SeedRunner.runAll(
        new long[] {1, 2, 3},
        10,
        seed -> ReplicationScenario.plan(seed, shape, OPS),
        (seed, plan) -> ReplicationScenario.run(seed, plan, shape, stats),
        ReplicationMutationTest.class,
        "fastReadIgnoringValuesAloneIsHarmless");
    assertThat(stats.fastReads).isPositive();
  }

  private static long[] firstSeeds() {
    long[] seeds = new long[SEED_LIMIT];
    for (int i = 0; i < seeds.length; i++) {
      seeds[i] = i + 1;
    }
    return seeds;
  }

  private static void caught(ReplicationScenario.Shape shape, String method) {
    List<Long> list = SeedRunner.seeds(firstSeeds(), 0);
    ReplicationScenario.Stats stats = new ReplicationScenario.Stats();
    Optional<SeedRunner.Failure> failure =
        SeedRunner.findFailure(
            list,
            seed -> ReplicationScenario.plan(seed, shape, OPS),
            (seed, plan) -> ReplicationScenario.run(seed, plan, shape, stats),
            ReplicationMutationTest.class,
            method);
    assertThat(failure).as("%s passed %d seeds: %s", shape.name(), list.size(), stats).isPresent();
    System.out.println(
        method + " caught by seed " + failure.get().seed() + ":\n" + failure.get().report());
  }
}
