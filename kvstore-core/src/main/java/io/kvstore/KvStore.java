package io.kvstore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A node of an embedded, replicated, linearizable key-value store: the blocking API.
 *
 * <pre>{@code
 * try (KvStore store = KvStore.builder().nodeName("n1").build()) {
 *   store.start();
 *   long v = store.put("greeting", "hello".getBytes(UTF_8));
 *   store.compareAndSet("greeting", v, "hi".getBytes(UTF_8));   // true
 *   store.get("greeting");                                       // "hi", version v' > v
 * }
 * }</pre>
 *
 * <p>Keys are non-empty strings up to {@link KvStoreBuilder#maxKeyBytes} bytes of UTF-8; values are
 * byte arrays up to {@link KvStoreBuilder#maxValueBytes} (copied on the way in and out). Every write
 * gives the key a new, higher version. Every operation is linearizable.
 *
 * <p>Thread-safe. Each method blocks until its operation completes and throws the {@link
 * KvException} subclass that says what happened; an interrupt ends the wait with a {@link
 * KvException} (the interrupt flag is kept) and leaves the outcome unknown. {@link #async()} gives
 * the non-blocking twin of every method.
 */
public interface KvStore extends AutoCloseable {
  /** A builder with defaults for everything. */
  static KvStoreBuilder builder() {
    return new KvStoreBuilder();
  }

  /**
   * Starts the node: binds, joins the cluster, and returns once it serves. Idempotent while
   * running.
   *
   * @throws IllegalStateException if the store was closed
   */
  KvStore start();

  /** This node's identity. */
  NodeId nodeId();

  /** The lifecycle state. */
  NodeState state();

  /** The non-blocking view of this store. */
  AsyncKvStore async();

  /** The value and version of {@code key}, or empty if absent. */
  Optional<Versioned<byte[]>> get(String key);

  /** Writes a value and returns its new version. */
  long put(String key, byte[] value);

  /** Writes a value that expires after {@code ttl} and returns its new version. */
  long put(String key, byte[] value, Duration ttl);

  /** Deletes a key; returns {@code true} if it was present. */
  boolean delete(String key);

  /**
   * Writes {@code newValue} only if the current version is {@code expectedVersion} ({@code 0} means
   * "absent"); returns whether it wrote.
   */
  boolean compareAndSet(String key, long expectedVersion, byte[] newValue);

  /**
   * Like {@link #compareAndSet} but returns the new version and throws {@link
   * VersionConflictException} on a mismatch.
   */
  long replace(String key, long expectedVersion, byte[] newValue);

  /** Writes the value only if the key is absent; returns whether it wrote. */
  boolean putIfAbsent(String key, byte[] value);

  /** {@link #putIfAbsent(String, byte[])} with an expiry (for leases and locks). */
  boolean putIfAbsent(String key, byte[] value, Duration ttl);

  /** A view of this store whose values are converted by {@code codec}. */
  <T> TypedKvStore<T> typed(Codec<T> codec);

  /** A view whose values are UTF-8 strings. */
  default TypedKvStore<String> strings() {
    return typed(Codec.utf8());
  }

  /**
   * The cluster configuration this node has installed, or empty while the cluster is still being
   * formed (or joined). A single-node store reports itself as the only member.
   */
  java.util.Optional<ClusterView> cluster();

  /**
   * Removes a member from the cluster configuration at once, without waiting for the grace period
   * after which a dead member is removed automatically. Its partitions are re-replicated on the
   * remaining members. Completes with the epoch of the configuration that starts the change, once
   * that configuration is recorded; the data moves afterwards ({@link #cluster()} shows progress).
   *
   * <p>Fails with {@link IllegalArgumentException} if no member has that name or id, with {@link
   * IllegalStateException} if another change is in progress or the removal would leave a
   * partition without a live majority of its replicas, and with {@link
   * QuorumUnavailableException} if the configuration cannot be written.
   *
   * @param member a member's name, or its full id ({@code name#bootid})
   */
  java.util.concurrent.CompletableFuture<Long> removeMember(String member);

  /**
   * <b>Dangerous: may lose acknowledged writes.</b> The way out when the cluster configuration's
   * voting members lost their majority for good (say two of three nodes are gone and will not come
   * back): the survivors refuse every operation until then, by design, and nothing ever does this
   * automatically. Forces a configuration whose members are {@code survivors} alone; partitions
   * whose old replicas had a live majority keep every acknowledged write, and the others keep
   * whatever their surviving replicas hold: writes acknowledged only by the dropped members are
   * lost. Completes with the epoch of the forced configuration once it is recorded; the cluster
   * then catches the survivors up and completes the change as usual ({@link #cluster()} shows
   * progress), and serves again.
   *
   * <p>Before using it, make sure the dropped members are really gone: a dropped member that is
   * only cut off and still running keeps serving its side, and must be stopped and wiped before it
   * comes back (a restarted process with fresh state joins as a new member).
   *
   * <p>Fails with {@link IllegalStateException} if a majority of the voters is alive (recovery is
   * not needed: use {@link #removeMember}), if the cluster is not formed or this node is not a
   * member; with {@link IllegalArgumentException} if a named survivor is no member or not alive;
   * with {@link ContentionException} if another configuration change came first (check, then
   * retry if still needed); with {@link QuorumUnavailableException} if the survivors' voters
   * cannot record it; and with {@link OutcomeUnknownException} if it may or may not have been
   * recorded.
   *
   * @param survivors names or full ids ({@code name#bootid}) of the members to keep, each alive;
   *     empty for this node and every member membership sees alive. This node is always kept.
   */
  java.util.concurrent.CompletableFuture<Long> forceRecovery(java.util.Collection<String> survivors);

  /** The cluster members as this node sees them, itself included. */
  List<Member> members();

  /** Registers a membership listener. */
  void addMembershipListener(MembershipListener listener);

  /** Removes a membership listener registered before. */
  void removeMembershipListener(MembershipListener listener);

  /**
   * Leaves the cluster gracefully (bounded in time), finishes in-flight operations and releases
   * every thread and port. Idempotent.
   */
  @Override
  void close();
}
