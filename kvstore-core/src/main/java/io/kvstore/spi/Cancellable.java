package io.kvstore.spi;

/** A handle to a scheduled task. */
@FunctionalInterface
public interface Cancellable {
  /** Cancels the task if it has not run yet. Idempotent. */
  void cancel();
}
