package io.kvstore.examples.bench;

import java.util.random.RandomGenerator;

/**
 * Zipfian ranks over {@code [0, items)}: rank 0 is the most popular, and the probability of rank
 * {@code r} is about {@code 1 / ((r + 1)^theta * zeta(items, theta))}.
 *
 * <p>The algorithm is Gray et al., "Quickly Generating Billion-Record Synthetic Databases" (SIGMOD
 * 1994), as YCSB uses it: one uniform draw per value, exact for ranks 0 and 1 and a close
 * approximation beyond. The constant {@code zeta(items, theta)} is computed once in O(items).
 *
 * <p>Immutable and thread-safe; randomness comes from the caller.
 */
final class ZipfianGenerator {
  /** YCSB's default skew. */
  static final double DEFAULT_THETA = 0.99;

  private final int items;
  private final double theta;
  private final double zetaN;
  private final double alpha;
  private final double eta;
  private final double halfPowTheta;

  ZipfianGenerator(int items, double theta) {
    if (items < 1) {
      throw new IllegalArgumentException("items must be at least 1: " + items);
    }
    if (!(theta > 0 && theta < 1)) {
      throw new IllegalArgumentException("theta must be in (0, 1): " + theta);
    }
    this.items = items;
    this.theta = theta;
    this.zetaN = zeta(items, theta);
    double zeta2 = zeta(Math.min(2, items), theta);
    this.alpha = 1 / (1 - theta);
    this.eta = items < 2 ? 1 : (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta2 / zetaN);
    this.halfPowTheta = Math.pow(0.5, theta);
  }

  /** {@code sum_{i=1..n} 1 / i^theta}. */
  static double zeta(int n, double theta) {
    double sum = 0;
    for (int i = 1; i <= n; i++) {
      sum += 1 / Math.pow(i, theta);
    }
    return sum;
  }

  /** The exact probability of {@code rank} under the Zipf law this generator approximates. */
  double probability(int rank) {
    return 1 / (Math.pow(rank + 1, theta) * zetaN);
  }

  /** The number of items. */
  int items() {
    return items;
  }

  /** The next rank, in {@code [0, items)}. */
  int next(RandomGenerator random) {
    double u = random.nextDouble();
    double uz = u * zetaN;
    if (uz < 1) {
      return 0;
    }
    if (uz < 1 + halfPowTheta && items > 1) {
      return 1;
    }
    int rank = (int) (items * Math.pow(eta * u - eta + 1, alpha));
    return Math.min(Math.max(rank, 0), items - 1);
  }
}
