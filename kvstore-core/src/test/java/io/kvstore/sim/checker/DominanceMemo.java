package io.kvstore.sim.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checker's memo when a history has classes of interchangeable optional operations: explored
 * configurations keyed by a fingerprint of (required operations linearized, model state), each with
 * the vectors of how many members of each class were used. A configuration is dominated, and need
 * not be explored, if one with the same key and no more members used in any class was explored:
 * everything reachable with more members spent is reachable with fewer (the earlier members are
 * available at least as early). Lookups only; iteration order never matters.
 */
final class DominanceMemo {
  private final Map<Long, List<Entry>> entries = new HashMap<>();
  private int size;

  private record Entry(int check, int[] used) {}

  /** Records the configuration; returns false if it is dominated by one recorded before. */
  boolean add(long key, int check, int[] used) {
    List<Entry> list = entries.computeIfAbsent(key, k -> new ArrayList<>(2));
    for (Entry e : list) {
      if (e.check == check && dominates(e.used, used)) {
        return false;
      }
    }
    list.removeIf(e -> e.check == check && dominates(used, e.used));
    list.add(new Entry(check, used.clone()));
    size++;
    return true;
  }

  int size() {
    return size;
  }

  private static boolean dominates(int[] fewer, int[] more) {
    for (int i = 0; i < fewer.length; i++) {
      if (fewer[i] > more[i]) {
        return false;
      }
    }
    return true;
  }
}
