package io.kvstore.spi.message;

import io.kvstore.NodeId;
import java.util.Objects;

/**
 * A CASPaxos ballot: a counter and the proposing node (name and boot id), totally ordered by
 * counter, then node. Two proposers never share a ballot, and one proposer never sends two
 * different values under one ballot.
 *
 * @param counter the round counter, 0 only for {@link #ZERO}
 * @param node the proposer, null only for {@link #ZERO}
 */
public record Ballot(long counter, NodeId node) implements Comparable<Ballot> {
  /** Lower than every real ballot: "nothing promised or accepted". */
  public static final Ballot ZERO = new Ballot(0, null);

  /** Validates. */
  public Ballot {
    if (counter < 0) {
      throw new IllegalArgumentException("negative ballot counter");
    }
    if ((node == null) != (counter == 0)) {
      throw new IllegalArgumentException("only the zero ballot has no node");
    }
  }

  @Override
  public int compareTo(Ballot o) {
    int c = Long.compare(counter, o.counter);
    if (c != 0 || node == null) {
      return c;
    }
    return node.compareTo(o.node);
  }

  /** Whether this ballot is strictly greater than {@code o}. */
  public boolean greaterThan(Ballot o) {
    return compareTo(o) > 0;
  }

  /** The next ballot of {@code proposer} above this one. */
  public Ballot next(NodeId proposer) {
    return new Ballot(counter + 1, Objects.requireNonNull(proposer, "proposer"));
  }

  @Override
  public String toString() {
    return node == null ? "b0" : "b" + counter + "/" + node;
  }
}
