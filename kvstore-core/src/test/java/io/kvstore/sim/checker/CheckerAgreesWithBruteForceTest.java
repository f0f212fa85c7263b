package io.kvstore.sim.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.kvstore.sim.Operation;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The search checker and a brute-force enumeration agree on small random histories. */
final class CheckerAgreesWithBruteForceTest {

  @Test
  void agreesOnSmallRandomHistories() {
    AtomicInteger linearizable = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    qt().withExamples(10_000)
        .withFixedSeed(20261124L)
        .forAll(longs().all(), integers().between(1, 8), integers().between(0, 3))
        .checkAssert(
            (seed, size, mode) -> {
              SplittableRandom r = new SplittableRandom(seed);
              int unknownPercent = mode == 0 ? 0 : 25;
              List<Operation> h =
                  RandomHistories.generate(r, size, 1 + r.nextInt(3), mode >= 2, unknownPercent);
              boolean expected = BruteForceChecker.isLinearizable(h);
              CheckResult got = new LinearizabilityChecker().check(h);
              assertThat(got.isLinearizable())
                  .as("seed %d, history:\n%s\nchecker: %s", seed, lines(h), got.describe())
                  .isEqualTo(expected);
              (expected ? linearizable : rejected).incrementAndGet();
            });
    // Both verdicts must be well represented, or the comparison proves little.
    assertThat(linearizable.get()).isGreaterThan(500);
    assertThat(rejected.get()).isGreaterThan(300);
  }

  private static String lines(List<Operation> h) {
    StringBuilder sb = new StringBuilder();
    for (Operation o : h) {
      sb.append("  ").append(o).append('\n');
    }
    return sb.toString();
  }
}
