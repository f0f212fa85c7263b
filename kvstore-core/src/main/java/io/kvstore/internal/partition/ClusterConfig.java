package io.kvstore.internal.partition;

import io.kvstore.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The cluster configuration: who votes for data. Replica sets come only from here, never from a
 * node's gossip view, so that two nodes can never use quorums that do not intersect.
 *
 * <p>A configuration with {@link #previous} members is <em>joint</em>: a change from {@code
 * previous} to {@code members} is in progress, and every round of a partition whose replica set
 * changes needs a majority of its old replicas and a majority of its new ones.
 *
 * @param epoch increases with every change; 0 means "not formed yet"
 * @param members the voting members, sorted (the members after the change, while one is in
 *     progress)
 * @param replicationFactor replicas per partition (capped at the member count)
 * @param partitions the partition count, fixed for the life of the cluster
 * @param lineage a random id drawn when the cluster was formed, kept by every later configuration:
 *     configurations of another lineage belong to another cluster
 * <p>A <em>forced</em> configuration is the joint configuration an operator's recovery writes when
 * the configuration's voters lost their majority for good: {@code members} are the survivors, and
 * every old replica set counts only its surviving members (see {@code ReplicaCore}), so the change
 * can complete without the dead. Completing it gives an ordinary configuration of the survivors.
 *
 * @param previous while a change is in progress, the members before it, sorted; empty otherwise
 * @param forced whether this joint configuration was forced by an operator's recovery
 */
public record ClusterConfig(
    long epoch,
    List<NodeId> members,
    int replicationFactor,
    int partitions,
    long lineage,
    List<NodeId> previous,
    boolean forced) {
  /** Validates and sorts. */
  public ClusterConfig {
    members = sortedUnique(members);
    previous = sortedUnique(previous);
    if (epoch < 0 || replicationFactor < 1 || partitions < 1 || members.isEmpty()) {
      throw new IllegalArgumentException("bad configuration");
    }
    if (forced && previous.isEmpty()) {
      throw new IllegalArgumentException("a forced configuration needs the members before it");
    }
  }

  /** A configuration that was not forced. */
  public ClusterConfig(
      long epoch,
      List<NodeId> members,
      int replicationFactor,
      int partitions,
      long lineage,
      List<NodeId> previous) {
    this(epoch, members, replicationFactor, partitions, lineage, previous, false);
  }

  /** A configuration with no change in progress and lineage 0 (tests and benchmarks). */
  public ClusterConfig(long epoch, List<NodeId> members, int replicationFactor, int partitions) {
    this(epoch, members, replicationFactor, partitions, 0, List.of());
  }

  private static List<NodeId> sortedUnique(List<NodeId> members) {
    Objects.requireNonNull(members, "members");
    List<NodeId> sorted = new ArrayList<>(members);
    sorted.sort(null);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
        throw new IllegalArgumentException("two members named " + sorted.get(i).name());
      }
    }
    return List.copyOf(sorted);
  }

  /** Whether a change is in progress. */
  public boolean joint() {
    return !previous.isEmpty();
  }

  /** The number of replicas each partition has: RF capped at the member count. */
  public int effectiveReplicas() {
    return Math.min(replicationFactor, members.size());
  }

  /** The configuration before the change in progress (epoch one lower), or this one. */
  public ClusterConfig before() {
    return joint()
        ? new ClusterConfig(epoch - 1, previous, replicationFactor, partitions, lineage, List.of())
        : this;
  }

  /** The joint configuration that starts a change from this one to {@code next} members. */
  public ClusterConfig changeTo(List<NodeId> next) {
    if (joint()) {
      throw new IllegalStateException("a change is already in progress");
    }
    return new ClusterConfig(epoch + 1, next, replicationFactor, partitions, lineage, members);
  }

  /**
   * The joint configuration that redirects the change in progress to {@code next} members. A
   * forced change stays forced: its old sets never count their dead members again.
   */
  public ClusterConfig retarget(List<NodeId> next) {
    return new ClusterConfig(epoch + 1, next, replicationFactor, partitions, lineage, previous, forced);
  }

  /**
   * The forced configuration an operator's recovery writes over this one: the {@code survivors}
   * become the members, and the members before it are this configuration's old members (the ones
   * whose majorities hold every acknowledged write: under a change in progress, the members before
   * that change).
   */
  public ClusterConfig forceTo(List<NodeId> survivors) {
    return new ClusterConfig(epoch + 1, survivors, replicationFactor, partitions, lineage,
        joint() ? previous : members, true);
  }

  /** The configuration that completes the change in progress. */
  public ClusterConfig complete() {
    return new ClusterConfig(epoch + 1, members, replicationFactor, partitions, lineage, List.of());
  }

  /** Every member of this configuration, old and new, sorted. */
  public List<NodeId> everyone() {
    java.util.TreeSet<NodeId> all = new java.util.TreeSet<>(members);
    all.addAll(previous);
    return List.copyOf(all);
  }

  /** Whether {@code node} is a member, old or new. */
  public boolean involves(NodeId node) {
    return members.contains(node) || previous.contains(node);
  }
}
