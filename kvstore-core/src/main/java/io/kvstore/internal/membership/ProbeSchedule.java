package io.kvstore.internal.membership;

import io.kvstore.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Probe target order (SWIM §4.3): round-robin over a shuffled list of members, reshuffled after
 * every pass, so each member is probed once per pass (time-bounded completeness) while the order
 * stays unpredictable. New members go in at a random position of the rest of the pass.
 * Thread-unsafe.
 */
final class ProbeSchedule {
  private final RandomGenerator random;
  private final List<NodeId> order = new ArrayList<>();
  private int index;

  ProbeSchedule(RandomGenerator random) {
    this.random = random;
  }

  /** Whether a pass is still running. */
  boolean hasNext() {
    return index < order.size();
  }

  /** The next member of this pass; callers skip members that are no longer probeable. */
  NodeId next() {
    return order.get(index++);
  }

  /** Starts a new pass over {@code members} (given in a stable order), shuffled. */
  void reshuffle(List<NodeId> members) {
    order.clear();
    order.addAll(members);
    index = 0;
    Shuffle.shuffle(order, random);
  }

  /** Adds a new member at a random position among those not probed yet in this pass. */
  void insert(NodeId id) {
    if (order.contains(id)) {
      return;
    }
    order.add(index + random.nextInt(order.size() - index + 1), id);
  }
}
