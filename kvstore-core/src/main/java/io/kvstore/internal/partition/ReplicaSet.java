package io.kvstore.internal.partition;

import io.kvstore.NodeId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The replicas a round must reach for one register. Outside a configuration change that is one
 * set, and a quorum is a majority of it. While a change moves the register from {@code previous} to
 * {@code current}, a quorum is a majority of each: every quorum of the joint phase intersects every
 * quorum before it and every quorum after it.
 *
 * @param current the replicas (in preference order: the first live one coordinates writes)
 * @param previous the replicas before the change in progress, or empty if the set does not change
 */
public record ReplicaSet(List<NodeId> current, List<NodeId> previous) {
  /** Copies the lists. */
  public ReplicaSet {
    current = List.copyOf(current);
    previous = List.copyOf(previous);
  }

  /** A set with no change in progress. */
  public static ReplicaSet of(List<NodeId> replicas) {
    return new ReplicaSet(replicas, List.of());
  }

  /** Whether a change is in progress for this register. */
  public boolean joint() {
    return !previous.isEmpty();
  }

  /** Every replica to send a round to: the current ones first, then the leaving ones. */
  public List<NodeId> all() {
    if (previous.isEmpty()) {
      return current;
    }
    List<NodeId> all = new ArrayList<>(current);
    for (NodeId n : previous) {
      if (!all.contains(n)) {
        all.add(n);
      }
    }
    return all;
  }

  /** Whether {@code node} is one of the replicas, current or previous. */
  public boolean contains(NodeId node) {
    return current.contains(node) || previous.contains(node);
  }

  /** Whether {@code nodes} hold a quorum, with {@code quorum} giving the majority of a set size. */
  public boolean isQuorum(Collection<NodeId> nodes, IntUnaryOperator quorum) {
    return count(current, nodes) >= quorum.applyAsInt(current.size())
        && (previous.isEmpty() || count(previous, nodes) >= quorum.applyAsInt(previous.size()));
  }

  /** Whether no quorum can form without some of {@code refused}. */
  public boolean blockedBy(Collection<NodeId> refused, IntUnaryOperator quorum) {
    return count(current, refused) > current.size() - quorum.applyAsInt(current.size())
        || (!previous.isEmpty()
            && count(previous, refused) > previous.size() - quorum.applyAsInt(previous.size()));
  }

  private static int count(List<NodeId> set, Collection<NodeId> nodes) {
    int n = 0;
    for (NodeId x : set) {
      if (nodes.contains(x)) {
        n++;
      }
    }
    return n;
  }
}
