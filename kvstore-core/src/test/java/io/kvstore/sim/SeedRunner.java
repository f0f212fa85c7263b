package io.kvstore.sim;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * Runs a simulation scenario over many seeds: seeds are test inputs.
 *
 * <p>Which seeds: with {@code -Dsim.seed=S} exactly S (replay); otherwise the fixed regression
 * seeds, then {@code -Dsim.seeds=N} more (default chosen by the test), drawn from the base {@code
 * -Dsim.base=B}: a fixed base by default, so that a build runs the same seeds every time and a red
 * build means a change broke something; {@code -Dsim.base=random} draws new seeds each run, to
 * explore (a failure it finds is a seed to fix and add to the regression seeds). A failing seed
 * is reported with its fault schedule, a shrunk plan (fewer faults, fewer operations) that still
 * fails, and the command that replays it.
 */
public final class SeedRunner {
  /** The system property that selects one seed to replay. */
  public static final String SEED_PROPERTY = "sim.seed";

  /** The system property with the number of seeds beyond the regression seeds. */
  public static final String SEEDS_PROPERTY = "sim.seeds";

  /** The system property with the base those seeds are drawn from, or {@code random}. */
  public static final String BASE_PROPERTY = "sim.base";

  private static final long DEFAULT_BASE = 1L;

  /** The most runs spent on shrinking one failure. */
  public static final int SHRINK_BUDGET = 40;

  /** One seeded run. */
  @FunctionalInterface
  public interface Scenario {
    /** Runs {@code plan} under {@code seed}; returns null on success, else why it failed. */
    String run(long seed, SimPlan plan);
  }

  /**
   * A failing seed.
   *
   * @param seed the seed
   * @param reason why the original plan failed
   * @param plan the original plan
   * @param shrunk the smallest plan found that still fails
   * @param shrunkReason why the shrunk plan failed
   * @param replay the command that replays the seed
   */
  public record Failure(
      long seed, String reason, SimPlan plan, SimPlan shrunk, String shrunkReason, String replay) {
    /** The full report. */
    public String report() {
      return "seed "
          + seed
          + " failed: "
          + firstLine(reason)
          + "; replay: "
          + replay
          + "\nfault schedule ("
          + plan
          + ")"
          + "\nshrunk schedule that still fails ("
          + shrunk
          + ")"
          + "\nshrunk failure: "
          + shrunkReason
          + "\noriginal failure: "
          + reason;
    }

    private static String firstLine(String s) {
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl);
    }
  }

  private SeedRunner() {}

  /** The seeds to run: the replay seed alone, or the regression seeds plus fresh ones. */
  public static List<Long> seeds(long[] regression, int defaultFresh) {
    String one = System.getProperty(SEED_PROPERTY);
    if (one != null && !one.isBlank()) {
      return List.of(Long.parseLong(one.trim()));
    }
    LinkedHashSet<Long> out = new LinkedHashSet<>();
    for (long s : regression) {
      out.add(s);
    }
    int fresh = Integer.getInteger(SEEDS_PROPERTY, defaultFresh);
    String base = System.getProperty(BASE_PROPERTY, "").trim();
    SplittableRandom r = "random".equals(base) ? new SplittableRandom()
        : new SplittableRandom(base.isEmpty() ? DEFAULT_BASE : Long.parseLong(base));
    for (int i = 0; i < fresh; i++) {
      out.add(r.nextLong() & Long.MAX_VALUE);
    }
    return new ArrayList<>(out);
  }

  /** The command that replays {@code seed} of a test method. */
  public static String replayCommand(Class<?> test, String method, long seed) {
    return "mvn -o -pl kvstore-core test -Dtest="
        + test.getSimpleName()
        + "#"
        + method
        + " -D"
        + SEED_PROPERTY
        + "="
        + seed;
  }

  /**
   * Runs every seed; returns the first failure (shrunk), or empty if all passed.
   *
   * @param planner the plan of a seed (must be a pure function of the seed)
   */
  public static Optional<Failure> findFailure(
      List<Long> seeds,
      LongFunction<SimPlan> planner,
      Scenario scenario,
      Class<?> test,
      String method) {
    for (long seed : seeds) {
      SimPlan plan = planner.apply(seed);
      String reason = scenario.run(seed, plan);
      if (reason != null) {
        return Optional.of(shrink(seed, plan, reason, scenario, test, method));
      }
    }
    return Optional.empty();
  }

  /** Runs every seed and throws an {@link AssertionError} with the report of the first failure. */
  public static int runAll(
      long[] regression,
      int defaultFresh,
      LongFunction<SimPlan> planner,
      Scenario scenario,
      Class<?> test,
      String method) {
    List<Long> seeds = seeds(regression, defaultFresh);
    Optional<Failure> f = findFailure(seeds, planner, scenario, test, method);
    if (f.isPresent()) {
      throw new AssertionError(f.get().report());
    }
    return seeds.size();
  }

  private static Failure shrink(
      long seed, SimPlan plan, String reason, Scenario scenario, Class<?> test, String method) {
    SimPlan best = plan;
    String bestReason = reason;
    int budget = SHRINK_BUDGET;
    boolean improved = true;
    while (improved && budget > 0) {
      improved = false;
      List<SimPlan> candidates = new ArrayList<>();
      if (best.opsPerClient() > 1) {
        candidates.add(new SimPlan(best.faults(), best.opsPerClient() / 2));
      }
      for (FaultSchedule smaller : best.faults().shrinkCandidates()) {
        candidates.add(new SimPlan(smaller, best.opsPerClient()));
      }
      for (SimPlan c : candidates) {
        if (budget-- <= 0) {
          break;
        }
        String r = scenario.run(seed, c);
        if (r != null) {
          best = c;
          bestReason = r;
          improved = true;
          break;
        }
      }
    }
    return new Failure(seed, reason, plan, best, bestReason, replayCommand(test, method, seed));
  }
}
