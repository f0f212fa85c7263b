package io.kvstore.internal.membership;

import java.util.List;
import java.util.random.RandomGenerator;

/** Fisher–Yates with an injected random source (never {@code Collections.shuffle}'s own). */
final class Shuffle {
  private Shuffle() {}

  /**
   * Moves {@code k} uniformly chosen elements to the front of {@code list}, in random order
   * (a partial Fisher–Yates: O(k), not O(n)).
   */
  static <T> void pickFirst(List<T> list, int k, RandomGenerator random) {
    int n = list.size();
    for (int i = 0; i < Math.min(k, n - 1); i++) {
      int j = i + random.nextInt(n - i);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  static <T> void shuffle(List<T> list, RandomGenerator random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
