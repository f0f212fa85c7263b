package io.kvstore.spi;

import java.util.concurrent.Executor;

/**
 * A single-threaded executor: tasks run one at a time, in submission order, never concurrently, so
 * state confined to one loop needs no locks. Production uses a dedicated thread per loop; the
 * simulator runs every node's loops on one thread in virtual time.
 *
 * <p>{@link #execute} and {@link #schedule} are thread-safe. After {@link #shutdown}, {@code
 * execute} throws {@link java.util.concurrent.RejectedExecutionException}.
 */
public interface EventLoop extends Executor {
  /** Runs {@code task} after {@code delayNanos} (0 = as soon as possible, after queued tasks). */
  Cancellable schedule(long delayNanos, Runnable task);

  /** Whether the caller runs on this loop. */
  boolean inLoop();

  /**
   * Stops accepting tasks, runs those already queued (not delayed ones), and waits at most {@code
   * timeoutNanos} for them. Returns whether the loop finished in time. Idempotent.
   */
  boolean shutdown(long timeoutNanos);

  /**
   * Runs {@code action} once, on some thread, after the loop's thread has stopped for good, for an
   * owner whose work is confined to a loop it does not control (a transport's I/O loop, which
   * stops when the transport closes). Everything the loop's tasks wrote is visible to it. The
   * default never runs it: loops the store shuts down itself need no notice.
   */
  default void whenTerminated(Runnable action) {}
}
