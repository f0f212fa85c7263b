package io.kvstore.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The discrete-event scheduler of a simulation: one priority queue of events ordered by (virtual
 * time, sequence number), so two events at the same instant run in the order they were scheduled,
 * never by hash or identity order. Running an event moves the virtual clock to its time.
 *
 * <p>Every executed event is folded into a 64-bit trace hash (FNV-1a over its time and label), so
 * two runs can be compared bit for bit; optionally the labels are kept too, for diffing.
 *
 * <p>Confined to one thread: the first thread that uses it owns it, and any other thread is
 * refused, which catches a protocol class that sneaks in a thread of its own.
 */
public final class SimScheduler {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  /** A scheduled event. */
  static final class Event {
    final long atNanos;
    final long seq;
    final SimEventLoop loop; // null for simulation-level events
    final String label;
    final Runnable task;
    boolean cancelled;

    Event(long atNanos, long seq, SimEventLoop loop, String label, Runnable task) {
      this.atNanos = atNanos;
      this.seq = seq;
      this.loop = loop;
      this.label = label;
      this.task = task;
    }
  }

  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(
          (a, b) -> {
            int c = Long.compare(a.atNanos, b.atNanos);
            return c != 0 ? c : Long.compare(a.seq, b.seq);
          });
  private Thread owner;
  private long nowNanos;
  private long seq;
  private long executed;
  private long traceHash = FNV_OFFSET;
  private List<String> traceLines;
  private SimEventLoop running;

  /** The current virtual time. */
  public long nowNanos() {
    return nowNanos;
  }

  /** How many events ran. */
  public long executedEvents() {
    return executed;
  }

  /** The hash of the trace of every event run so far. */
  public long traceHash() {
    return traceHash;
  }

  /** Starts keeping the label of every event (for diffing two traces; costs memory). */
  public void keepTrace() {
    if (traceLines == null) {
      traceLines = new ArrayList<>();
    }
  }

  /** The kept trace lines, if {@link #keepTrace} was called. */
  public List<String> traceLines() {
    return traceLines == null ? List.of() : List.copyOf(traceLines);
  }

  /** Folds an observation (not an event) into the trace, e.g. a completed client operation. */
  public void note(String label) {
    checkThread();
    fold(nowNanos, label);
  }

  /** Runs {@code body} now as if it were a task of {@code loop} (so that it is "in loop"). */
  <T> T runAs(SimEventLoop loop, java.util.function.Supplier<T> body) {
    checkThread();
    SimEventLoop previous = running;
    running = loop;
    try {
      return body.get();
    } finally {
      running = previous;
    }
  }

  /** The loop whose task is running, or null. */
  SimEventLoop running() {
    return running;
  }

  /** Schedules {@code task} at absolute virtual time {@code atNanos} (not before now). */
  Event schedule(long atNanos, SimEventLoop loop, String label, Runnable task) {
    checkThread();
    Event e = new Event(Math.max(atNanos, nowNanos), seq++, loop, label, task);
    queue.add(e);
    return e;
  }

  /** The time of the next live event, or {@link Long#MAX_VALUE} if none. */
  long nextEventNanos() {
    Event e;
    while ((e = queue.peek()) != null && isDead(e)) {
      queue.poll();
    }
    return e == null ? Long.MAX_VALUE : e.atNanos;
  }

  private static boolean isDead(Event e) {
    return e.cancelled || (e.loop != null && !e.loop.accepts(e));
  }

  /**
   * Runs the next live event if it is due at or before {@code deadlineNanos}; otherwise moves the
   * clock to the deadline. Returns whether an event ran.
   */
  boolean runNext(long deadlineNanos) {
    checkThread();
    long at = nextEventNanos();
    if (at > deadlineNanos) {
      if (deadlineNanos != Long.MAX_VALUE) {
        nowNanos = Math.max(nowNanos, deadlineNanos);
      }
      return false;
    }
    Event e = queue.poll();
    nowNanos = e.atNanos;
    executed++;
    fold(e.atNanos, e.label);
    SimEventLoop previous = running;
    running = e.loop;
    try {
      e.task.run();
    } finally {
      running = previous;
    }
    return true;
  }

  private void fold(long at, String label) {
    long h = traceHash;
    for (int i = 0; i < 8; i++) {
      h = (h ^ ((at >>> (8 * i)) & 0xff)) * FNV_PRIME;
    }
    for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * FNV_PRIME;
    }
    traceHash = h;
    if (traceLines != null) {
      traceLines.add(at + " " + label);
    }
  }

  private void checkThread() {
    Thread t = Thread.currentThread();
    if (owner == null) {
      owner = t;
    } else if (owner != t) {
      throw new IllegalStateException(
          "simulation used from thread " + t.getName() + ", owned by " + owner.getName());
    }
  }
}
