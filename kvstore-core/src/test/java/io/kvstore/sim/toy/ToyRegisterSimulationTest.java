package io.kvstore.sim.toy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.sim.SeedRunner;
import io.kvstore.sim.SimPlan;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The harness can fail: the broken toy is caught within a bounded number of seeds, the correct one
 * passes every seed.
 */
final class ToyRegisterSimulationTest {
  private static final int CLIENTS = 10;
  private static final int OPS = 40;

  @Test
  void brokenAsyncReplicationIsCaught() {
    // A fixed, bounded set of seeds (or the one given by -Dsim.seed): the bug must show within it.
    long[] first20 = new long[20];
    for (int i = 0; i < first20.length; i++) {
      first20[i] = i + 1;
    }
    List<Long> seeds = SeedRunner.seeds(first20, 0);
    Optional<SeedRunner.Failure> failure =
        SeedRunner.findFailure(
            seeds,
            seed -> ToyCluster.plan(seed, ToyCluster.Kind.ASYNC_REPLICATED, 3, CLIENTS, OPS),
            (seed, plan) -> scenario("broken", seed, plan, ToyCluster.Kind.ASYNC_REPLICATED, 3),
            ToyRegisterSimulationTest.class,
            "brokenAsyncReplicationIsCaught");
    assertThat(failure).as("the broken toy passed 20 seeds").isPresent();
    String report = failure.get().report();
    System.out.println("Expected failure of the broken toy:\n" + report);
    assertThat(report)
        .startsWith("seed " + failure.get().seed() + " failed: ")
        .contains(
            "replay: mvn -o -pl kvstore-core test -Dtest=ToyRegisterSimulationTest"
                + "#brokenAsyncReplicationIsCaught -Dsim.seed="
                + failure.get().seed())
        .contains("fault schedule")
        .contains("shrunk schedule");
    SimPlan shrunk = failure.get().shrunk();
    assertThat(shrunk.faults().size()).isLessThanOrEqualTo(failure.get().plan().faults().size());
    assertThat(shrunk.opsPerClient()).isLessThanOrEqualTo(OPS);
  }

  @Test
  void correctSingleServerPasses() {
    int seeds =
        SeedRunner.runAll(
            new long[] {1, 2, 3, 42, 0xdecafL},
            20,
            seed -> ToyCluster.plan(seed, ToyCluster.Kind.SINGLE_SERVER, 1, CLIENTS, OPS),
            (seed, plan) -> scenario("single", seed, plan, ToyCluster.Kind.SINGLE_SERVER, 1),
            ToyRegisterSimulationTest.class,
            "correctSingleServerPasses");
    assertThat(seeds).isGreaterThanOrEqualTo(1);
  }

  private static String scenario(
      String name, long seed, SimPlan plan, ToyCluster.Kind kind, int servers) {
    return ToyCluster.scenario(name, seed, plan, kind, servers, CLIENTS);
  }
}
