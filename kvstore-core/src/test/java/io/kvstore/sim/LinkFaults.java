package io.kvstore.sim;

import java.util.Objects;

/**
 * The fault knobs of a network link (or of every link, as the global default).
 *
 * <p>Streams ({@code Transport.send}) keep per-link FIFO order; a dropped stream message stands for
 * a connection reset that lost it, and a cut link loses every stream message in flight. Datagrams
 * may also be duplicated, and reordered beyond what random delays already do.
 *
 * @param dropProbability chance that a message is lost, 0 to 1
 * @param duplicateProbability chance that a datagram is delivered twice
 * @param reorderProbability chance that a datagram is held back by up to another maximum delay
 * @param delay the delay distribution
 */
public record LinkFaults(
    double dropProbability,
    double duplicateProbability,
    double reorderProbability,
    DelayDistribution delay) {
  /** A reliable link with a fixed 100 µs delay. */
  public static final LinkFaults RELIABLE =
      new LinkFaults(0, 0, 0, DelayDistribution.fixed(100_000));

  /** Validates the knobs. */
  public LinkFaults {
    Objects.requireNonNull(delay, "delay");
    for (double p : new double[] {dropProbability, duplicateProbability, reorderProbability}) {
      if (p < 0 || p > 1) {
        throw new IllegalArgumentException("probability out of [0, 1]: " + p);
      }
    }
  }

  /** A moderately hostile network: 1-5 ms delays with a 1% tail to 200 ms, 2% loss. */
  public static LinkFaults lossy() {
    return new LinkFaults(
        0.02,
        0.02,
        0.05,
        DelayDistribution.uniform(1_000_000, 5_000_000).withTail(0.01, 200_000_000));
  }

  /** This with another drop probability. */
  public LinkFaults withDrop(double p) {
    return new LinkFaults(p, duplicateProbability, reorderProbability, delay);
  }

  /** This with another delay distribution. */
  public LinkFaults withDelay(DelayDistribution d) {
    return new LinkFaults(dropProbability, duplicateProbability, reorderProbability, d);
  }
}
