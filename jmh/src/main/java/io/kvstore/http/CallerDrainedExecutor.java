package io.kvstore.http;

import io.netty.util.concurrent.AbstractEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An executor whose tasks run on one owner thread, when that thread drains them: any thread may
 * submit (the store's loop does, when an operation completes), only the owner runs. It stands in
 * for the connection's I/O loop so that a benchmark drives the whole request path on its own
 * thread. No scheduling (the handler bound to it schedules nothing).
 */
final class CallerDrainedExecutor extends AbstractEventExecutor {
  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final Thread owner;
  private final Future<?> terminated = ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);

  CallerDrainedExecutor(Thread owner) {
    this.owner = owner;
  }

  /** Runs the next task, waiting up to {@code timeoutNanos} for one; false if none came. */
  boolean runOne(long timeoutNanos) throws InterruptedException {
    Runnable r = tasks.poll();
    if (r == null) {
      r = tasks.poll(timeoutNanos, TimeUnit.NANOSECONDS);
      if (r == null) {
        return false;
      }
    }
    r.run();
    return true;
  }

  /** Runs every task already queued. */
  void runPending() {
    for (Runnable r; (r = tasks.poll()) != null; ) {
      r.run();
    }
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  @Override
  public boolean inEventLoop(Thread thread) {
    return thread == owner;
  }

  @Override
  public boolean isShuttingDown() {
    return false;
  }

  @Override
  public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
    return terminated;
  }

  @Override
  public Future<?> terminationFuture() {
    return terminated;
  }

  @Override
  @Deprecated
  public void shutdown() {}

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return false;
  }
}
