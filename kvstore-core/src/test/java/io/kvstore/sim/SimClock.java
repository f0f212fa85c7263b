package io.kvstore.sim;

import io.kvstore.spi.Clock;

/**
 * Virtual time: the clock of a {@link SimScheduler}. It moves only when the scheduler runs the next
 * event, never by itself, so a simulated second costs no wall time.
 */
public final class SimClock implements Clock {
  private final SimScheduler scheduler;

  SimClock(SimScheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public long nanoTime() {
    return scheduler.nowNanos();
  }
}
