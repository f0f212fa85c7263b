package io.kvstore.examples.bench;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The mix of operation types: {@code put}, {@code get}, {@code mixed:R} (R percent gets, the rest
 * puts), {@code cas} (read, then compare-and-set on the version read) or {@code put-if-absent}.
 * Immutable and thread-safe; randomness comes from the caller.
 *
 * @param name the workload as written on the command line
 * @param readPercent for a mixed workload, the percentage of gets; else -1
 * @param single for a single-type workload, that type; else null
 */
record Workload(String name, int readPercent, OpType single) {
  /**
   * Parses a workload.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  static Workload parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    switch (t) {
      case "put":
        return new Workload(t, -1, OpType.PUT);
      case "get":
        return new Workload(t, -1, OpType.GET);
      case "cas":
        return new Workload(t, -1, OpType.CAS);
      case "put-if-absent":
      case "putifabsent":
        return new Workload("put-if-absent", -1, OpType.PUT_IF_ABSENT);
      default:
        break;
    }
    if (t.startsWith("mixed:") || t.equals("mixed")) {
      int r;
      try {
        r = t.equals("mixed") ? 50 : Integer.parseInt(t.substring("mixed:".length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("mixed:R needs R = percent of gets, 0..100: " + text);
      }
      if (r < 0 || r > 100) {
        throw new IllegalArgumentException("mixed:R needs R = percent of gets, 0..100: " + text);
      }
      return new Workload("mixed:" + r, r, null);
    }
    throw new IllegalArgumentException(
        "unknown workload '" + text + "' (put|get|mixed:R|cas|put-if-absent)");
  }

  /** The type of the next operation. */
  OpType next(RandomGenerator random) {
    if (single != null) {
      return single;
    }
    return random.nextInt(100) < readPercent ? OpType.GET : OpType.PUT;
  }
}
