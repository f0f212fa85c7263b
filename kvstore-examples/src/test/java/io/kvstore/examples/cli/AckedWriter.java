package io.kvstore.examples.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A background writer at a light, steady rate: writes each key exactly once (so a key's only
 * possible value is the one written), round-robin over the nodes it is told to use, and records
 * which writes were acknowledged (200). Any other answer (503, 504, a refused connection) is
 * counted and not recorded: such a write may or may not have applied.
 */
final class AckedWriter implements AutoCloseable {
  /** A writer never runs longer than this, whatever the test does. */
  private static final Duration MAX_RUN = Duration.ofMinutes(5);

  private final KvHttp http;
  private final String prefix;
  private final long periodNanos;
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicLong> failures = new ConcurrentHashMap<>();
  private final AtomicLong attempts = new AtomicLong();
  private final Thread thread;
  private volatile List<String> targets;
  private volatile boolean stop;

  AckedWriter(KvHttp http, String prefix, int writesPerSecond, List<String> targets) {
    this.http = http;
    this.prefix = prefix;
    this.periodNanos = TimeUnit.SECONDS.toNanos(1) / writesPerSecond;
    this.targets = List.copyOf(targets);
    this.thread = new Thread(this::run, "elastic-test-writer-" + prefix);
    thread.setDaemon(true);
  }

  AckedWriter start() {
    thread.start();
    return this;
  }

  /** The nodes to write through from now on (a node about to stop is taken out first). */
  void targets(List<String> urls) {
    targets = List.copyOf(urls);
  }

  private void run() {
    long end = System.nanoTime() + MAX_RUN.toNanos();
    long next = System.nanoTime();
    long seq = 0;
    while (!stop && System.nanoTime() - end < 0) {
      List<String> t = targets;
      if (!t.isEmpty()) {
        String key = prefix + seq;
        String value = "a" + seq;
        attempts.incrementAndGet();
        try {
          KvHttp.Answer a = http.putString(t.get((int) (seq % t.size())), key, value);
          if (a.status() == 200) {
            acked.put(key, value);
          } else {
            failures.computeIfAbsent(a.status(), s -> new AtomicLong()).incrementAndGet();
          }
        } catch (InterruptedException e) {
          return;
        }
        seq++;
      }
      // Pace the writes: a light, steady load rather than as fast as the nodes answer.
      next += periodNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        next = System.nanoTime();
      }
    }
  }

  /** The writes acknowledged so far. */
  Map<String, String> acked() {
    return Map.copyOf(acked);
  }

  int ackedCount() {
    return acked.size();
  }

  /** Attempts, acknowledgements and the other answers by status (-1: no answer). */
  String summary() {
    Map<Integer, Long> byStatus = new TreeMap<>();
    failures.forEach((s, n) -> byStatus.put(s, n.get()));
    return "writer "
        + prefix
        + ": "
        + attempts.get()
        + " attempts, "
        + acked.size()
        + " acknowledged, not acknowledged by status "
        + byStatus;
  }

  /** Stops writing and waits (bounded) for the write in flight. */
  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(15));
  }
}
