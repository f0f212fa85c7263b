package io.kvstore;

import java.time.Duration;
import java.util.Optional;

/**
 * A blocking view of a {@link KvStore} whose values are converted by a {@link Codec}. Same
 * semantics, versions and exceptions as the raw API; thread-safe.
 *
 * @param <T> the value type
 */
public interface TypedKvStore<T> {
  /** The decoded value and version of {@code key}, or empty if absent. */
  Optional<Versioned<T>> get(String key);

  /** Writes a value and returns its new version. */
  long put(String key, T value);

  /** Writes a value that expires after {@code ttl} and returns its new version. */
  long put(String key, T value, Duration ttl);

  /** Deletes a key; returns {@code true} if it was present. */
  boolean delete(String key);

  /** Writes only if the current version is {@code expectedVersion} (0 = absent). */
  boolean compareAndSet(String key, long expectedVersion, T newValue);

  /** Writes only if the current version is {@code expectedVersion}; returns the new version. */
  long replace(String key, long expectedVersion, T newValue);

  /** Writes only if the key is absent. */
  boolean putIfAbsent(String key, T value);
}
