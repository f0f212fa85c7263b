package io.kvstore.sim;

import io.kvstore.AsyncKvStore;
import io.kvstore.Versioned;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The operations a simulated client issues: the subset of {@link AsyncKvStore} the workload uses.
 * Futures must complete on the simulation thread (inside some node's or client's task).
 */
public interface SimKv {
  /** See {@link AsyncKvStore#get}. */
  CompletableFuture<Optional<Versioned<byte[]>>> get(String key);

  /** See {@link AsyncKvStore#put(String, byte[])}. */
  CompletableFuture<Long> put(String key, byte[] value);

  /** See {@link AsyncKvStore#delete}. */
  CompletableFuture<Boolean> delete(String key);

  /** See {@link AsyncKvStore#compareAndSet}. */
  CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] value);

  /** See {@link AsyncKvStore#putIfAbsent(String, byte[])}. */
  CompletableFuture<Boolean> putIfAbsent(String key, byte[] value);

  /** A view of a real store. */
  static SimKv of(AsyncKvStore store) {
    Objects.requireNonNull(store, "store");
    return new SimKv() {
      @Override
      public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
        return store.get(key);
      }

      @Override
      public CompletableFuture<Long> put(String key, byte[] value) {
        return store.put(key, value);
      }

      @Override
      public CompletableFuture<Boolean> delete(String key) {
        return store.delete(key);
      }

      @Override
      public CompletableFuture<Boolean> compareAndSet(String key, long expected, byte[] value) {
        return store.compareAndSet(key, expected, value);
      }

      @Override
      public CompletableFuture<Boolean> putIfAbsent(String key, byte[] value) {
        return store.putIfAbsent(key, value);
      }
    };
  }
}
