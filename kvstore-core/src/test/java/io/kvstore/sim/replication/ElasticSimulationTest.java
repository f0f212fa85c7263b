package io.kvstore.sim.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.sim.SeedRunner;
import org.junit.jupiter.api.Test;

/**
 * Elastic clusters stay linearizable and lose no acknowledged write while nodes join, leave, crash,
 * come back empty and are removed, under a hostile network; the configuration history is one chain;
 * once faults heal the configuration settles and every key is readable through every node.
 *
 * <p>More seeds: {@code -Dsim.seeds=500}; replay one: {@code -Dsim.seed=S} (printed on failure).
 */
final class ElasticSimulationTest {
  private static final int OPS = 60;
  private static final long[] REGRESSION = {1, 2, 3, 42, 1808368460523871927L, 4045876042817839704L,
      8679975636706596409L, 8652001942553240913L, 2959238421501154873L, 4662436698954726651L,
      72168379295441149L, 559898640460447806L, 218267160910896803L, 6451656331607905620L,
      2467023869602351022L, 7875385104890905343L, 4466774567309550305L, 4388765327704363191L,
      8380226135740624386L};

  @Test
  void growingFromOneNodeAndChurningIsLinearizable() {
    check(new ElasticScenario.Shape("from1", 5, 1, 3, 8, 6, 7, 2), 150, "growingFromOneNodeAndChurningIsLinearizable");
  }

  @Test
  void churningAThreeNodeClusterIsLinearizable() {
    check(new ElasticScenario.Shape("from3", 5, 3, 3, 8, 6, 7, 3), 150, "churningAThreeNodeClusterIsLinearizable");
  }

  @Test
  void aSeedReplaysIdentically() {
    ElasticScenario.Shape shape = new ElasticScenario.Shape("determinism", 4, 3, 3, 8, 4, 4, 1);
    var plan = ElasticScenario.plan(5, shape, 20);
    ElasticScenario.Stats first = new ElasticScenario.Stats();
    ElasticScenario.Stats second = new ElasticScenario.Stats();
    assertThat(ElasticScenario.run(5, plan, shape, first)).isNull();
    assertThat(ElasticScenario.run(5, plan, shape, second)).isNull();
    assertThat(second.lastTraceHash).isEqualTo(first.lastTraceHash);
    assertThat(second.toString()).isEqualTo(first.toString());
  }

  private static void check(ElasticScenario.Shape shape, int fresh, String method) {
    ElasticScenario.Stats stats = new ElasticScenario.Stats();
    long start = System.nanoTime();
    int seeds = SeedRunner.runAll(REGRESSION, fresh,
        seed -> ElasticScenario.plan(seed, shape, OPS),
        (seed, plan) -> ElasticScenario.run(seed, plan, shape, stats),
        ElasticSimulationTest.class, method);
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("%s: %d seeds in %.1f s: %s%n", method, seeds, secs, stats);
    if (seeds < 20) {
      return; // a replay of one seed: the coverage checks below are about many
    }
    assertThat(stats.epochs).as("configuration changes happened").isGreaterThan(stats.runs);
    assertThat(stats.actions.keySet()).as("every kind of membership action exercised")
        .contains("join", "restart", "kill", "leave", "remove");
  }
}
