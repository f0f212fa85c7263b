package io.kvstore.internal.membership;

import io.kvstore.spi.Cancellable;
import io.kvstore.spi.Clock;
import io.kvstore.spi.EventLoop;
import java.util.PriorityQueue;

/** A single-threaded event loop in virtual time, run step by step by the test (like a sim). */
final class ManualEventLoop implements EventLoop {
  private static final class Task {
    final long atNanos;
    final long order;
    final Runnable runnable;
    boolean cancelled;

    Task(long atNanos, long order, Runnable runnable) {
      this.atNanos = atNanos;
      this.order = order;
      this.runnable = runnable;
    }
  }

  private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) ->
      a.atNanos != b.atNanos ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.order, b.order));
  private long order;
  private long now = 1_000_000_000L;

  Clock clock() {
    return () -> now;
  }

  @Override
  public void execute(Runnable task) {
    schedule(0, task);
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    Task t = new Task(now + Math.max(0, delayNanos), order++, task);
    tasks.add(t);
    return () -> t.cancelled = true;
  }

  @Override
  public boolean inLoop() {
    return true;
  }

  @Override
  public boolean shutdown(long timeoutNanos) {
    tasks.clear();
    return true;
  }

  /** Runs every task due up to {@code now + nanos}, advancing virtual time. */
  void runFor(long nanos) {
    long end = now + nanos;
    while (!tasks.isEmpty() && tasks.peek().atNanos <= end) {
      Task t = tasks.poll();
      now = Math.max(now, t.atNanos);
      if (!t.cancelled) {
        t.runnable.run();
      }
    }
    now = end;
  }
}
