package io.kvstore.internal.node;

import io.kvstore.Member;
import io.kvstore.MembershipListener;
import io.kvstore.NodeId;
import io.kvstore.NodeState;
import io.kvstore.Versioned;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a node implementation provides; {@link SyncKvStore} turns it into the public API. The
 * operations follow {@link io.kvstore.AsyncKvStore}'s contract; {@code ttlNanos} 0 means no expiry.
 */
public interface NodeEngine {
  /** Starts the node; blocks until it serves. */
  void start();

  /** Stops the node gracefully; idempotent. */
  void close();

  /** This node's identity. */
  NodeId nodeId();

  /** Lifecycle state. */
  NodeState state();

  /** The installed cluster configuration, if any. */
  Optional<io.kvstore.ClusterView> cluster();

  /** Removes a member from the configuration; see {@link io.kvstore.KvStore#removeMember}. */
  CompletableFuture<Long> removeMember(String member);

  /** Forces a configuration of the survivors; see {@link io.kvstore.KvStore#forceRecovery}. */
  CompletableFuture<Long> forceRecovery(java.util.Collection<String> survivors);

  /** Members as seen by this node. */
  List<Member> members();

  /** Adds a membership listener. */
  void addMembershipListener(MembershipListener listener);

  /** Removes a membership listener. */
  void removeMembershipListener(MembershipListener listener);

  /** Reads a key. */
  CompletableFuture<Optional<Versioned<byte[]>>> get(String key);

  /** Writes; completes with the new version. */
  CompletableFuture<Long> put(String key, byte[] value, long ttlNanos);

  /** Deletes; completes with whether the key was present. */
  CompletableFuture<Boolean> delete(String key);

  /** Conditional write; completes with the new version, or fails with a version conflict. */
  CompletableFuture<Long> replace(String key, long expectedVersion, byte[] value, long ttlNanos);

  /** Conditional write; completes with whether it wrote. */
  CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] value);

  /** Write if absent; completes with whether it wrote. */
  CompletableFuture<Boolean> putIfAbsent(String key, byte[] value, long ttlNanos);
}
