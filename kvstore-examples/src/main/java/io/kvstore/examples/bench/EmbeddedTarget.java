package io.kvstore.examples.bench;

import io.kvstore.AsyncKvStore;
import io.kvstore.ContentionException;
import io.kvstore.KeyTooLargeException;
import io.kvstore.KvStore;
import io.kvstore.OutcomeUnknownException;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.StoreClosedException;
import io.kvstore.ValueTooLargeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Drives stores started in this JVM through {@link KvStore#async()}, so that the measurement
 * includes the store's own path and no network. Futures complete on the store's event loops.
 */
final class EmbeddedTarget implements Target {
  private final KvStore[] stores;
  private final byte[] value;
  private final boolean owned;

  /**
   * Creates a target over running stores.
   *
   * @param stores the stores, spread over by client index
   * @param valueSize the size of written values in bytes
   * @param owned whether {@link #close()} closes the stores
   */
  EmbeddedTarget(KvStore[] stores, int valueSize, boolean owned) {
    if (stores.length == 0) {
      throw new IllegalArgumentException("no stores");
    }
    this.stores = stores.clone();
    this.value = new byte[valueSize];
    for (int i = 0; i < valueSize; i++) {
      value[i] = (byte) ('a' + i % 26);
    }
    this.owned = owned;
  }

  /** Starts {@code nodes} stores in this JVM; only one is possible until replication lands. */
  static EmbeddedTarget start(int nodes, int valueSize) {
    if (nodes != 1) {
      throw new IllegalArgumentException(
          "--embedded-nodes " + nodes + ": only 1 is supported (the store is single-node for now)");
    }
    KvStore store =
        KvStore.builder()
            .nodeName("bench-1")
            .maxValueBytes(Math.max(valueSize, 1024 * 1024))
            .build()
            .start();
    return new EmbeddedTarget(new KvStore[] {store}, valueSize, true);
  }

  @Override
  public CompletableFuture<Result> execute(Op op) {
    AsyncKvStore store = stores[Math.floorMod(op.client(), stores.length)].async();
    CompletableFuture<Result> result;
    try {
      switch (op.type()) {
        case PUT:
          result = store.put(op.key(), value).thenApply(v -> Result.OK);
          break;
        case GET:
          result = store.get(op.key()).thenApply(v -> Result.OK);
          break;
        case PUT_IF_ABSENT:
          result = store.putIfAbsent(op.key(), value).thenApply(EmbeddedTarget::conflictUnless);
          break;
        case CAS:
          result =
              store
                  .get(op.key())
                  .thenCompose(
                      cur ->
                          store.compareAndSet(
                              op.key(), cur.isPresent() ? cur.get().version() : 0, value))
                  .thenApply(EmbeddedTarget::conflictUnless);
          break;
        default:
          throw new AssertionError(op.type());
      }
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(classify(e));
    }
    return result.exceptionally(EmbeddedTarget::classify);
  }

  private static Result conflictUnless(boolean applied) {
    return applied ? Result.OK : Result.CONFLICT;
  }

  /** Maps a store exception to an error kind. */
  static Result classify(Throwable t) {
    Throwable e = t;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof QuorumUnavailableException) {
      return Result.UNAVAILABLE;
    }
    if (e instanceof OutcomeUnknownException) {
      return Result.UNKNOWN_OUTCOME;
    }
    if (e instanceof StoreClosedException
        || e instanceof ContentionException
        || e instanceof KeyTooLargeException
        || e instanceof ValueTooLargeException
        || e instanceof IllegalArgumentException) {
      return Result.REFUSED;
    }
    return Result.ERROR;
  }

  @Override
  public String describe() {
    return "embedded(" + stores.length + (stores.length == 1 ? " node)" : " nodes)");
  }

  @Override
  public void close() {
    if (owned) {
      for (KvStore s : stores) {
        s.close();
      }
    }
  }
}
