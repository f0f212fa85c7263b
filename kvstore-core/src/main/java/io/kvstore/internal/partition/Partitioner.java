package io.kvstore.internal.partition;

/** Maps keys to one of a fixed number of partitions by {@link KeyHash}. Immutable, thread-safe. */
public final class Partitioner {
  private final int partitionCount;

  /** Creates a partitioner over {@code partitionCount} partitions. */
  public Partitioner(int partitionCount) {
    if (partitionCount < 1) {
      throw new IllegalArgumentException("partition count must be at least 1: " + partitionCount);
    }
    this.partitionCount = partitionCount;
  }

  /** The partition of {@code key}, in {@code [0, partitionCount)}. */
  public int partitionOf(String key) {
    return (int) Long.remainderUnsigned(KeyHash.hash64(key), partitionCount);
  }

  /** The number of partitions. */
  public int partitionCount() {
    return partitionCount;
  }
}
