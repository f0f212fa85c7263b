package io.kvstore;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The non-blocking face of a {@link KvStore}. Every method returns at once; the future completes
 * when the operation is linearized, or exceptionally with a {@link KvException} subclass (directly,
 * not wrapped), whose type says whether the operation was applied.
 *
 * <p>Thread-safe. Futures may complete on a store thread: keep dependent stages short, or use the
 * {@code *Async} variants of {@link CompletableFuture} with your own executor for blocking work.
 *
 * <p>Argument errors (null key, key or value too large, negative TTL) are reported through the
 * future as well, so that a caller has a single error path.
 */
public interface AsyncKvStore {
  /** Reads a key: the current value and its version, or empty if absent. */
  CompletableFuture<Optional<Versioned<byte[]>>> get(String key);

  /** Writes a value; completes with the new version. */
  CompletableFuture<Long> put(String key, byte[] value);

  /**
   * Writes a value that expires after {@code ttl}; completes with the new version. Expiry counts as
   * a delete. {@link Duration#ZERO} means no expiry.
   */
  CompletableFuture<Long> put(String key, byte[] value, Duration ttl);

  /** Deletes a key; completes with {@code true} if it was present. */
  CompletableFuture<Boolean> delete(String key);

  /**
   * Writes {@code newValue} only if the key's current version is {@code expectedVersion} ({@code 0}
   * means "absent"). Completes with {@code true} if written, {@code false} if the version differed:
   * a mismatch is an ordinary outcome, not an error.
   */
  CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] newValue);

  /**
   * Like {@link #compareAndSet} but completes with the new version, or exceptionally with {@link
   * VersionConflictException} (which carries the version found) on a mismatch.
   */
  CompletableFuture<Long> replace(String key, long expectedVersion, byte[] newValue);

  /** Writes the value only if the key is absent; completes with {@code true} if written. */
  CompletableFuture<Boolean> putIfAbsent(String key, byte[] value);

  /** {@link #putIfAbsent(String, byte[])} with an expiry (for leases and locks). */
  CompletableFuture<Boolean> putIfAbsent(String key, byte[] value, Duration ttl);

  /** The blocking view of the same store. */
  KvStore sync();
}
