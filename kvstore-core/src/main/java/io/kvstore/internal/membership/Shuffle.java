package io.kvstore.internal.membership;

import java.util.List;
import java.util.random.RandomGenerator;

/** Fisher–Yates with an injected random source (never {@code Collections.shuffle}'s own). */
final class Shuffle {
  private Shuffle() {}

  static <T> void shuffle(List<T> list, RandomGenerator random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
