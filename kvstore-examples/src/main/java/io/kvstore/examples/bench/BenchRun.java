package io.kvstore.examples.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run: the driver on its own thread, and on the calling thread the one-second ticks (progress
 * line), the end of the warm-up, the kill, and the end.
 */
final class BenchRun {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /**
   * The run's timing.
   *
   * @param warmupNanos the warm-up, not measured
   * @param durationNanos the measurement
   * @param ratePerSecond the open loop's rate, or 0 for the closed loop
   * @param killAfterNanos when to kill a node, from the start of the measurement; negative = never
   * @param drainNanos how long to wait at the end for operations in flight
   */
  record Timing(
      long warmupNanos,
      long durationNanos,
      double ratePerSecond,
      long killAfterNanos,
      long drainNanos) {}

  /**
   * What happened.
   *
   * @param summary the measurements
   * @param killed what was killed, or null
   * @param drained whether every operation in flight completed within the drain time
   * @param maxSendLagNanos open loop: the longest delay of a send after its slot (see {@link
   *     Driver#maxSendLagNanos()}); 0 in the closed loop
   * @param lateSends open loop: sends more than a millisecond late
   * @param spent how much each of the target's {@link Target#counters() counters} grew over the
   *     measured window
   */
  record Outcome(
      Recorder.Summary summary,
      String killed,
      boolean drained,
      long maxSendLagNanos,
      long lateSends,
      Map<String, Long> spent) {}

  private BenchRun() {}

  /** Runs the plan against the target, printing a progress line per second to {@code progress}. */
  static Outcome run(
      Target target,
      Driver.Plan plan,
      Timing timing,
      NodeKiller killer,
      BenchClock clock,
      PrintStream progress)
      throws InterruptedException {
    long start = clock.nanoTime();
    long measureStart = start + timing.warmupNanos();
    long end = measureStart + timing.durationNanos();
    boolean killPending = killer != null && timing.killAfterNanos() >= 0;
    long killAt = measureStart + Math.max(0, timing.killAfterNanos());
    Recorder recorder = new Recorder(start);
    Driver driver = new Driver(target, recorder, clock, plan);
    boolean[] drained = new boolean[1];
    Thread driverThread =
        new Thread(
            () -> {
              try {
                drained[0] =
                    timing.ratePerSecond() > 0
                        ? driver.runOpen(start, end, timing.ratePerSecond(), timing.drainNanos())
                        : driver.runClosed(end, timing.drainNanos());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "bench-driver");
    driverThread.setDaemon(true);
    boolean measuring = false;
    Map<String, Long> before = Map.of();
    Map<String, Long> after = Map.of();
    if (timing.warmupNanos() == 0) {
      recorder.startMeasurement(start);
      before = target.counters();
      measuring = true;
    }
    driverThread.start();
    String killed = null;
    long nextTick = start + SECOND;
    try {
      while (true) {
        long next = Math.min(nextTick, end);
        if (!measuring) {
          next = Math.min(next, measureStart);
        }
        if (killPending) {
          next = Math.min(next, killAt);
        }
        clock.sleepUntil(next);
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException();
        }
        long now = clock.nanoTime();
        if (!measuring && now - measureStart >= 0) {
          recorder.startMeasurement(now);
          before = target.counters();
          measuring = true;
          nextTick = measureStart + SECOND;
        }
        if (now - nextTick >= 0) {
          Recorder.Second s = recorder.tick(now);
          double elapsed = (now - (measuring ? measureStart : start)) / 1e9;
          progress.println(Report.progressLine(s, !measuring, elapsed));
          progress.flush();
          nextTick += SECOND;
        }
        if (killPending && now - killAt >= 0) {
          killPending = false;
          killed = killer.kill();
          recorder.markKill(clock.nanoTime());
          progress.println("killed " + killed);
        }
        if (now - end >= 0) {
          after = target.counters();
          break;
        }
      }
      driverThread.join(TimeUnit.NANOSECONDS.toMillis(timing.drainNanos()) + 2000);
    } finally {
      driver.stop();
    }
    Recorder.Summary summary = recorder.finish(clock.nanoTime());
    // The join above orders the driver's last writes before these reads.
    Map<String, Long> spent = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : after.entrySet()) {
      Long b = before.get(e.getKey());
      if (b != null) {
        spent.put(e.getKey(), e.getValue() - b);
      }
    }
    return new Outcome(
        summary, killed, drained[0], driver.maxSendLagNanos(), driver.lateSends(), spent);
  }
}
