package io.kvstore.sim.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.sim.Operation;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Measures the checker on long single-key histories at concurrency 10 and prints the figures (never
 * asserted: timings vary by machine). The verdicts are asserted.
 *
 * <p>Run: {@code mvn -o -pl kvstore-core test -Dtest=CheckerPerformanceTest}; the figures are in
 * {@code target/surefire-reports/io.kvstore.sim.checker.CheckerPerformanceTest-output.txt}.
 */
final class CheckerPerformanceTest {
  private static final int CONCURRENCY = 10;

  /** Search budget for the corrupted histories (keeps the default run short). */
  private static final long REJECT_BUDGET = 10_000_000L;

  @Test
  void longHistoriesAtConcurrencyTen() {
    // Warm up the JIT so the first size is not charged for it.
    for (int i = 0; i < 5; i++) {
      new LinearizabilityChecker()
          .check(RandomHistories.generate(new SplittableRandom(i), 1000, CONCURRENCY, false, 5, 0));
    }
    StringBuilder report =
        new StringBuilder("checker, one key, concurrency " + CONCURRENCY + ":\n");
    for (int size : new int[] {1_000, 2_000, 5_000, 10_000}) {
      for (int unknownPercent : new int[] {0, 5}) {
        List<Operation> h =
            RandomHistories.generate(
                new SplittableRandom(size + unknownPercent),
                size,
                CONCURRENCY,
                false,
                unknownPercent,
                0);
        long t0 = System.nanoTime();
        CheckResult ok = new LinearizabilityChecker().check(h);
        long okMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ok.isLinearizable()).as(ok.describe()).isTrue();
        // The same history with one late read made stale: it returns a value overwritten long
        // before (a classic replication bug). Must not be accepted.
        List<Operation> bad = new java.util.ArrayList<>(h);
        int i = bad.size() - 1;
        while (bad.get(i).kind() != Operation.Kind.GET
            || bad.get(i).status() != Operation.Status.OK) {
          i--;
        }
        int j = i - 200;
        while (bad.get(j).kind() != Operation.Kind.PUT
            || bad.get(j).status() != Operation.Status.OK) {
          j--;
        }
        Operation get = bad.get(i);
        Operation old = bad.get(j);
        bad.set(
            i,
            Operation.get(
                get.process(),
                "k",
                old.value(),
                old.version(),
                get.callNanos(),
                get.returnNanos()));
        long t1 = System.nanoTime();
        CheckResult rejected = new LinearizabilityChecker(REJECT_BUDGET).check(bad);
        long badMs = (System.nanoTime() - t1) / 1_000_000;
        assertThat(rejected.isLinearizable()).isFalse();
        assertThat(rejected.verdict())
            .isIn(CheckResult.Verdict.NOT_LINEARIZABLE, CheckResult.Verdict.UNDECIDED);
        report.append(
            String.format(
                Locale.ROOT,
                "  %6d ops, %d%% unknown: linearizable in %5d ms (%d steps); with a stale read: %s"
                    + " in %5d ms (%d steps)%n",
                size,
                unknownPercent,
                okMs,
                ok.steps(),
                rejected.verdict(),
                badMs,
                rejected.steps()));
      }
    }
    System.out.print(report);
  }
}
