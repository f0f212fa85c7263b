package io.kvstore.examples.bench;

import java.util.PriorityQueue;

/**
 * Virtual time for single-threaded driver tests: {@link #sleepUntil} jumps the clock forward,
 * running the callbacks scheduled on the way, in time order. Not thread-safe.
 */
final class VirtualClock implements BenchClock {
  private record Event(long atNanos, long seq, Runnable task) {}

  private final PriorityQueue<Event> events =
      new PriorityQueue<>(
          (a, b) ->
              a.atNanos != b.atNanos
                  ? Long.compare(a.atNanos, b.atNanos)
                  : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;

  VirtualClock(long startNanos) {
    this.now = startNanos;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void sleepUntil(long deadlineNanos) {
    Event e;
    while ((e = events.peek()) != null && e.atNanos - deadlineNanos <= 0) {
      events.poll();
      now = Math.max(now, e.atNanos);
      e.task.run();
    }
    now = Math.max(now, deadlineNanos);
  }

  /** Moves time forward by {@code nanos} without running callbacks (a blocking call's cost). */
  void advance(long nanos) {
    now += nanos;
  }

  /** Runs {@code task} when a sleep passes {@code atNanos}. */
  void at(long atNanos, Runnable task) {
    events.add(new Event(atNanos, seq++, task));
  }
}
