package io.kvstore.sim;

import java.util.SplittableRandom;

/**
 * Message delay: uniform between {@code minNanos} and {@code maxNanos}, except that with {@code
 * tailProbability} a message takes the long tail, a delay between {@code maxNanos} and {@code
 * tailMaxNanos} skewed towards the short end (cubed uniform), as real networks' rare stragglers
 * are.
 *
 * @param minNanos shortest delay
 * @param maxNanos longest ordinary delay
 * @param tailProbability chance of a straggler, 0 to 1
 * @param tailMaxNanos longest straggler delay
 */
public record DelayDistribution(
    long minNanos, long maxNanos, double tailProbability, long tailMaxNanos) {
  /** Validates the ranges. */
  public DelayDistribution {
    if (minNanos < 0 || maxNanos < minNanos || tailMaxNanos < maxNanos) {
      throw new IllegalArgumentException("need 0 <= min <= max <= tailMax");
    }
    if (tailProbability < 0 || tailProbability > 1) {
      throw new IllegalArgumentException("tailProbability out of [0, 1]");
    }
  }

  /** A fixed delay. */
  public static DelayDistribution fixed(long nanos) {
    return new DelayDistribution(nanos, nanos, 0, nanos);
  }

  /** A uniform delay without tail. */
  public static DelayDistribution uniform(long minNanos, long maxNanos) {
    return new DelayDistribution(minNanos, maxNanos, 0, maxNanos);
  }

  /** This distribution with a long tail. */
  public DelayDistribution withTail(double probability, long tailMaxNanos) {
    return new DelayDistribution(minNanos, maxNanos, probability, tailMaxNanos);
  }

  /** Draws one delay. */
  long sample(SplittableRandom random) {
    if (tailProbability > 0 && random.nextDouble() < tailProbability) {
      double u = random.nextDouble();
      return maxNanos + (long) ((tailMaxNanos - maxNanos) * u * u * u);
    }
    return minNanos == maxNanos ? minNanos : random.nextLong(minNanos, maxNanos + 1);
  }
}
