package io.kvstore.examples.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Time for the drivers: a monotonic reading and a way to wait until a reading. Injected so that the
 * open-loop scheduler can be tested in virtual time.
 */
interface BenchClock {
  /** A monotonic reading in nanoseconds. */
  long nanoTime();

  /** Returns once {@link #nanoTime()} has reached {@code deadlineNanos} (at once if it has). */
  void sleepUntil(long deadlineNanos);

  /** The system's monotonic clock. */
  static BenchClock system() {
    return SystemClock.INSTANCE;
  }

  /** The real clock: {@link System#nanoTime()} and parking. */
  enum SystemClock implements BenchClock {
    INSTANCE;

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleepUntil(long deadlineNanos) {
      long left;
      while ((left = deadlineNanos - System.nanoTime()) > 0) {
        LockSupport.parkNanos(left);
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
