package io.kvstore.net;

import io.kvstore.spi.Cancellable;
import io.kvstore.spi.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;

/**
 * A transport's Netty I/O loop seen as a store {@link EventLoop}. The transport owns the thread:
 * {@link #shutdown} only stops accepting tasks from this view, and the thread stops when the
 * transport closes. A task that throws is logged by Netty and does not stop the loop.
 */
final class SharedLoop implements EventLoop {
  private final io.netty.channel.EventLoop loop;
  private volatile boolean shutdown;

  SharedLoop(io.netty.channel.EventLoop loop) {
    this.loop = loop;
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("the store's work on the transport loop has stopped");
    }
    loop.execute(task);
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("the store's work on the transport loop has stopped");
    }
    io.netty.util.concurrent.ScheduledFuture<?> f =
        loop.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public boolean inLoop() {
    return loop.inEventLoop();
  }

  @Override
  public void whenTerminated(Runnable action) {
    loop.terminationFuture().addListener(f -> action.run());
  }

  @Override
  public boolean shutdown(long timeoutNanos) {
    shutdown = true;
    return true;
  }
}
