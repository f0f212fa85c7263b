package io.kvstore.examples.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the load generator drives: an HTTP cluster, an embedded store, or a fake in tests.
 *
 * <p>{@link #execute} must not block: it returns a future that completes with the {@link Result}
 * and never exceptionally. Callers may call it from any thread; calls for one {@link Op#client()}
 * come one at a time in the closed loop, and may overlap (pipelined) in the open loop.
 */
interface Target extends AutoCloseable {
  /** Prepares {@code clients} connections (or whatever the target needs) before the run. */
  default void open(int clients) throws Exception {}

  /** Issues one operation. */
  CompletableFuture<Result> execute(Op op);

  /**
   * Cumulative counters of what serving the operations costs (name to value), read at the start
   * and the end of the measured window and reported per operation; empty when the target cannot
   * tell (a cluster in other processes).
   */
  default Map<String, Long> counters() {
    return Map.of();
  }

  /** A one-line description for reports, such as {@code http(2 urls)} or {@code embedded(1)}. */
  String describe();

  /** Releases every connection and thread. */
  @Override
  void close();
}
