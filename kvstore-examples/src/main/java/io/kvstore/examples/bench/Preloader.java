package io.kvstore.examples.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Writes every key once before the run ({@code --preload}), so that reads find values. */
final class Preloader {
  private Preloader() {}

  /**
   * Puts each of the chooser's keys once, with at most {@code window} in flight.
   *
   * @param timeoutNanos how long to wait for a free slot, and at the end for the last writes
   * @return the number of writes that did not succeed
   * @throws IllegalStateException if the writes stall for longer than the timeout
   */
  static long preload(Target target, KeyChooser keys, int window, long timeoutNanos)
      throws InterruptedException {
    Semaphore slots = new Semaphore(window);
    AtomicLong failed = new AtomicLong();
    for (int i = 0; i < keys.size(); i++) {
      if (!slots.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("preload stalled at key " + i);
      }
      target
          .execute(new Op(OpType.PUT, keys.name(i), i % window))
          .whenComplete(
              (r, t) -> {
                if (r != Result.OK) {
                  failed.incrementAndGet();
                }
                slots.release();
              });
    }
    if (!slots.tryAcquire(window, timeoutNanos, TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException("preload did not finish");
    }
    return failed.get();
  }
}
