package io.kvstore.sim.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.internal.replication.ReplicationConfig;
import io.kvstore.internal.replication.ReplicationConfig.Mutation;
import org.junit.jupiter.api.Test;

/**
 * The elastic simulation can fail: each deliberately broken rule of configuration changes (never
 * reachable from production settings) is caught by the checker within a fixed set of seeds.
 */
final class ElasticMutationTest {
  private static final int SEED_LIMIT = Integer.getInteger("sim.mutation.seeds", 400);

  private static void caught(Mutation m) {
    ElasticScenario.Shape shape = new ElasticScenario.Shape("mut-" + m.name().toLowerCase(java.util.Locale.ROOT),
        5, 3, 3, 8, 6, 7, 2, ReplicationConfig.defaults().withMutation(m));
    ElasticScenario.Stats stats = new ElasticScenario.Stats();
    for (long seed = 1; seed <= SEED_LIMIT; seed++) {
      String failure = ElasticScenario.run(seed, ElasticScenario.plan(seed, shape, 60), shape, stats);
      if (failure != null) {
        System.out.printf("%s caught at seed %d: %s%n", m, seed, failure.lines().findFirst().orElse(""));
        assertThat(failure).isNotBlank();
        return;
      }
    }
    throw new AssertionError(m + " was not caught within " + SEED_LIMIT + " seeds");
  }

  @Test
  void skippingCatchUpIsCaught() {
    caught(Mutation.SKIP_CATCH_UP);
  }

  @Test
  void usingOnlyTheNewQuorumDuringAChangeIsCaught() {
    caught(Mutation.JOINT_USES_NEW_QUORUM_ONLY);
  }
}
