package io.kvstore.internal.runtime;

import io.kvstore.spi.Cancellable;
import io.kvstore.spi.EventLoop;
import java.util.concurrent.RejectedExecutionException;

/** Runs a task on an event loop again and again, {@code periodNanos} after each run ends. */
public final class Periodic {
  private Periodic() {}

  /**
   * Schedules {@code task} every {@code periodNanos} on {@code loop} until cancelled or until the
   * loop shuts down.
   */
  public static Cancellable every(EventLoop loop, long periodNanos, Runnable task) {
    Cancellable[] next = new Cancellable[1];
    Runnable[] again = new Runnable[1];
    again[0] =
        () -> {
          task.run();
          try {
            next[0] = loop.schedule(periodNanos, again[0]);
          } catch (RejectedExecutionException e) {
            // the loop is shutting down: stop repeating
          }
        };
    next[0] = loop.schedule(periodNanos, again[0]);
    return () -> next[0].cancel();
  }
}
