package io.kvstore.internal.membership;

/**
 * Lifeguard's local health multiplier (LHM): a score in {@code [0, max)} that grows when this node
 * misses acks or nacks, has to refute a suspicion about itself, or detects a stall of its own
 * process, and shrinks with every successful probe. Timeouts are scaled by {@code (1 + score)},
 * so a node in trouble waits longer before accusing others (Lifeguard §4.1, memberlist
 * awareness.go). Thread-unsafe.
 */
final class Awareness {
  private final int max;
  private int score;

  Awareness(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1");
    }
    this.max = max;
  }

  /** Adds {@code delta} (may be negative), clamped to {@code [0, max - 1]}. */
  void apply(int delta) {
    score = Math.max(0, Math.min(max - 1, score + delta));
  }

  int score() {
    return score;
  }

  /** {@code timeoutNanos · (1 + score)}. */
  long scale(long timeoutNanos) {
    return timeoutNanos * (1 + score);
  }
}
