package io.kvstore.sim;

import io.kvstore.spi.Cancellable;
import io.kvstore.spi.EventLoop;
import java.util.concurrent.RejectedExecutionException;

/**
 * One node's {@link EventLoop} on the shared {@link SimScheduler}: tasks run on the simulation's
 * single thread, in virtual time, in (time, submission) order.
 *
 * <p>A loop belongs to one incarnation of a node. When the node crashes the loop dies and every
 * event still queued for it is discarded, as a killed process loses its pending work. A node can be
 * made slow: each of its tasks then runs {@code slowDelayNanos} later than asked (a stalled JVM, a
 * GC pause, an overloaded host).
 *
 * <p>{@link #shutdown} stops accepting tasks and drops delayed ones; tasks already queued for "now"
 * still run when the simulation advances (there is no other thread to wait for), so it returns
 * {@code true} at once.
 */
public final class SimEventLoop implements EventLoop {
  private final SimScheduler scheduler;
  private final String name;
  private boolean alive = true;
  private boolean shutdown;
  private long shutdownAtNanos;
  private long slowDelayNanos;

  SimEventLoop(SimScheduler scheduler, String name) {
    this.scheduler = scheduler;
    this.name = name;
  }

  /** The loop's name (the node name and boot). */
  public String name() {
    return name;
  }

  @Override
  public void execute(Runnable task) {
    submit(0, task, "run");
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    return submit(Math.max(0, delayNanos), task, "timer");
  }

  /** Schedules a task labelled for the trace (deliveries, client calls). */
  Cancellable submit(long delayNanos, Runnable task, String label) {
    if (!alive || shutdown) {
      throw new RejectedExecutionException(name + " is " + (alive ? "shut down" : "crashed"));
    }
    long at = scheduler.nowNanos() + delayNanos + slowDelayNanos;
    SimScheduler.Event e = scheduler.schedule(at, this, name + " " + label, task);
    return () -> e.cancelled = true;
  }

  @Override
  public boolean inLoop() {
    return scheduler.running() == this;
  }

  @Override
  public boolean shutdown(long timeoutNanos) {
    if (!shutdown) {
      shutdown = true;
      shutdownAtNanos = scheduler.nowNanos();
    }
    return true;
  }

  /** Whether the loop still runs {@code e}. */
  boolean accepts(SimScheduler.Event e) {
    if (!alive) {
      return false;
    }
    return !shutdown || e.atNanos <= shutdownAtNanos + slowDelayNanos;
  }

  /** Discards every pending task and refuses new ones: the process is gone. */
  void crash() {
    alive = false;
  }

  /** Whether the loop belongs to a live incarnation. */
  public boolean isAlive() {
    return alive && !shutdown;
  }

  /** Delays each task of this loop by {@code delayNanos} from now on (0 = normal speed). */
  void setSlowDelayNanos(long delayNanos) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("negative delay");
    }
    this.slowDelayNanos = delayNanos;
  }

  long slowDelayNanos() {
    return slowDelayNanos;
  }
}
