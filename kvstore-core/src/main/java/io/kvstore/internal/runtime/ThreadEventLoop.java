package io.kvstore.internal.runtime;

import io.kvstore.spi.Cancellable;
import io.kvstore.spi.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** An {@link EventLoop} on one dedicated daemon thread. */
public final class ThreadEventLoop implements EventLoop {
  private final ScheduledThreadPoolExecutor executor;
  private volatile Thread thread;

  /** Creates a loop whose thread is named {@code threadName}. */
  public ThreadEventLoop(String threadName) {
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new LoopThread(r, threadName);
              t.setDaemon(true);
              thread = t;
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    executor.prestartAllCoreThreads();
  }

  /** The threads of event loops, so that blocking calls made on them can be refused. */
  static final class LoopThread extends Thread {
    LoopThread(Runnable r, String name) {
      super(r, name);
    }
  }

  /** Whether the calling thread runs an event loop of a store (blocking on it could deadlock). */
  public static boolean onLoopThread() {
    return Thread.currentThread() instanceof LoopThread;
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  @Override
  public boolean shutdown(long timeoutNanos) {
    executor.shutdown();
    if (inLoop()) {
      return false;
    }
    try {
      return executor.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
