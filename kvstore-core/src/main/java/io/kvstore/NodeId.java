package io.kvstore;

import java.util.Objects;

/**
 * The identity of one node process: a stable, human-readable {@code name} plus a random {@code boot}
 * id drawn at every start. In-memory nodes forget everything when they stop, so a restarted process
 * is a new identity under the same name and never answers as its predecessor.
 *
 * @param name the configured node name (for example {@code node-1})
 * @param boot a random id of this process start
 */
public record NodeId(String name, long boot) implements Comparable<NodeId> {
  /** Validates the name. */
  public NodeId {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("node name must not be blank");
    }
  }

  @Override
  public int compareTo(NodeId o) {
    int c = name.compareTo(o.name);
    return c != 0 ? c : Long.compare(boot, o.boot);
  }

  @Override
  public String toString() {
    return name + "#" + Long.toHexString(boot);
  }
}
