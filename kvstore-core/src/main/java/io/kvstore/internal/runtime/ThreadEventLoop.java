package io.kvstore.internal.runtime;

import io.kvstore.spi.Cancellable;
import io.kvstore.spi.EventLoop;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventLoop} on one dedicated daemon thread: a lock-free queue of tasks that any thread
 * may add to, and timers kept by the loop thread itself. Submitting from another thread costs one
 * queue insertion, and an unpark only if the loop is idle (parked or about to park): a busy loop is
 * never woken, so a burst of submissions costs one wake-up at most. The loop never takes a lock (a
 * {@code ScheduledThreadPoolExecutor} takes one per task, which showed in the replicated write
 * path).
 */
public final class ThreadEventLoop implements EventLoop {
  private static final Logger log = LoggerFactory.getLogger(ThreadEventLoop.class);
  private static final int BATCH = 1024;

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Timer> newTimers = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>(); // loop thread only
  private final LoopThread thread;
  private volatile boolean shuttingDown;
  /**
   * Set by the loop thread just before it parks, cleared when it wakes. A submitter adds to its
   * queue and then reads this flag; the loop sets it and then checks both queues again. Both are
   * volatile accesses, so either the submitter sees the flag (and unparks) or the loop sees the
   * task (and does not park): no submission is left waiting.
   */
  private volatile boolean idle;
  private long timerSeq; // loop thread only

  private static final class Timer implements Comparable<Timer> {
    final long dueNanos;
    final Runnable task;
    long seq;
    volatile boolean cancelled;

    Timer(long dueNanos, Runnable task) {
      this.dueNanos = dueNanos;
      this.task = task;
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(dueNanos - o.dueNanos, 0);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /** The threads of event loops, so that blocking calls made on them can be refused. */
  static final class LoopThread extends Thread {
    LoopThread(Runnable r, String name) {
      super(r, name);
    }
  }

  /** Creates and starts a loop whose thread is named {@code threadName}. */
  public ThreadEventLoop(String threadName) {
    thread = new LoopThread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Threads of other event loops that a store runs its work on (a transport's I/O thread). */
  private static final ThreadLocal<Boolean> ADOPTED = new ThreadLocal<>();

  /** Whether the calling thread runs an event loop of a store (blocking on it could deadlock). */
  public static boolean onLoopThread() {
    return Thread.currentThread() instanceof LoopThread || ADOPTED.get() != null;
  }

  /**
   * Marks the calling thread as one that runs a store's work, so that blocking calls made on it
   * are refused as on this class's own threads. Called on a transport's I/O thread once a store
   * runs its core there.
   */
  public static void adoptCurrentThread() {
    ADOPTED.set(Boolean.TRUE);
  }

  @Override
  public void execute(Runnable task) {
    if (shuttingDown) {
      throw new RejectedExecutionException("event loop " + thread.getName() + " is shut down");
    }
    tasks.add(task);
    wakeIfIdle();
  }

  private void wakeIfIdle() {
    if (idle && Thread.currentThread() != thread) {
      LockSupport.unpark(thread);
    }
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    if (shuttingDown) {
      throw new RejectedExecutionException("event loop " + thread.getName() + " is shut down");
    }
    Timer t = new Timer(System.nanoTime() + Math.max(0, delayNanos), task);
    newTimers.add(t);
    wakeIfIdle();
    return () -> t.cancelled = true;
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  @Override
  public boolean shutdown(long timeoutNanos) {
    shuttingDown = true;
    LockSupport.unpark(thread);
    if (inLoop()) {
      return false;
    }
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !thread.isAlive();
  }

  private void run() {
    while (true) {
      long now = System.nanoTime();
      for (Timer t; (t = newTimers.poll()) != null; ) {
        t.seq = timerSeq++;
        timers.add(t);
      }
      Timer head;
      while (!shuttingDown && (head = timers.peek()) != null && now - head.dueNanos >= 0) {
        timers.poll();
        if (!head.cancelled) {
          runSafely(head.task);
        }
      }
      Runnable task;
      int ran = 0;
      while (ran < BATCH && (task = tasks.poll()) != null) {
        runSafely(task);
        ran++;
      }
      if (ran > 0) {
        continue;
      }
      if (shuttingDown) {
        if (tasks.isEmpty()) {
          return; // queued tasks done; delayed ones are dropped
        }
        continue;
      }
      if (!newTimers.isEmpty()) {
        continue;
      }
      head = timers.peek();
      long wait = head == null ? 0 : head.dueNanos - System.nanoTime();
      if (head != null && wait <= 0) {
        continue;
      }
      idle = true;
      if (tasks.isEmpty() && newTimers.isEmpty() && !shuttingDown) {
        if (head == null) {
          LockSupport.park(this);
        } else {
          LockSupport.parkNanos(this, wait);
        }
      }
      idle = false;
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (Throwable e) {
      log.error("task failed on {}", thread.getName(), e);
    }
  }
}
