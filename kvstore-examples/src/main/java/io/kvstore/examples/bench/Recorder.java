package io.kvstore.examples.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Collects what the drivers observe: latencies per operation type (HdrHistogram, microseconds),
 * outcomes by kind, and availability after a kill; cut into one-second intervals for the progress
 * line and the timeline.
 *
 * <p>Threading: {@link #issued} and {@link #record} are called concurrently by any number of
 * threads (lock-free: HdrHistogram's recorders and {@link LongAdder}s); the control methods ({@link
 * #startMeasurement}, {@link #tick}, {@link #markKill}, {@link #finish}) by one thread.
 *
 * <p>Latency is measured from the operation's <em>intended</em> start, which in the open loop is
 * its slot in the fixed-rate schedule: that is the correction for coordinated omission. The
 * uncorrected "service time" (from the actual send) is kept as well, for comparison. Only
 * successful operations ({@link Result#isSuccess()}) enter the latency histograms; errors are
 * counted by kind.
 *
 * <p>Intervals are cut while operations complete, so the few operations completing at the very
 * moment the warm-up ends may land on different sides of it in different histograms (their latency
 * in the warm-up, their service time in the measurement, or the reverse): counts taken from
 * different histograms can differ by that many.
 */
final class Recorder {
  /** The largest recordable latency, one hour in microseconds; longer ones are clamped. */
  static final long MAX_US = 3_600_000_000L;

  private static final int DIGITS = 3;

  private final Map<OpType, org.HdrHistogram.Recorder> intervals = new EnumMap<>(OpType.class);
  private final org.HdrHistogram.Recorder serviceInterval =
      new org.HdrHistogram.Recorder(MAX_US, DIGITS);
  private final LongAdder[] outcomeCounts = new LongAdder[Result.values().length];
  private final Map<OpType, LongAdder> conflictCounts = new EnumMap<>(OpType.class);

  private final Map<OpType, Histogram> totals = new EnumMap<>(OpType.class);
  private final Histogram serviceTotal = new Histogram(MAX_US, DIGITS);
  private final long[] outcomeTotals = new long[Result.values().length];
  private final Map<OpType, Long> conflictTotals = new EnumMap<>(OpType.class);
  private final List<Second> timeline = new ArrayList<>();

  private volatile long killNanos;
  private volatile boolean killed;
  private final LongAdder attemptedAfterKill = new LongAdder();
  private final LongAdder succeededAfterKill = new LongAdder();
  private final AtomicLong lastSuccessNanos = new AtomicLong();
  private final AtomicLong longestGapNanos = new AtomicLong();

  private boolean measuring;
  private long measureStartNanos;
  private long intervalStartNanos;

  /**
   * One second of the timeline.
   *
   * @param second seconds since the measurement started, from 1
   * @param ops successful operations completed in the interval
   * @param errors failed operations completed in the interval
   * @param p50Us median latency of the interval's successful operations, all types together
   * @param p99Us 99th percentile of the same
   * @param lengthNanos the interval's actual length
   * @param kill whether the node was killed in this interval
   */
  record Second(
      int second,
      long ops,
      long errors,
      double p50Us,
      double p99Us,
      long lengthNanos,
      boolean kill) {
    /** Successful operations per second in the interval. */
    double opsPerSecond() {
      return lengthNanos <= 0 ? 0 : ops * 1e9 / lengthNanos;
    }
  }

  /**
   * Availability from the kill to the end.
   *
   * @param killedAtSeconds when the node was killed, in seconds since the measurement started
   * @param attempted operations issued after the kill
   * @param succeeded those that succeeded
   * @param longestGapNanos the longest time without any successful operation completing
   */
  record Availability(
      double killedAtSeconds, long attempted, long succeeded, long longestGapNanos) {
    /** Successful / attempted, in percent (100 when nothing was attempted). */
    double percent() {
      return attempted == 0 ? 100.0 : 100.0 * succeeded / attempted;
    }
  }

  /**
   * Everything measured, after {@link #finish}.
   *
   * @param measuredNanos the measurement's length
   * @param latencies per operation type that occurred, the histogram of successful latencies (us)
   * @param conflicts per operation type, the lost compare-and-sets and present put-if-absents
   * @param serviceTimes the uncorrected latencies (us), all types together
   * @param outcomes the number of operations per outcome
   * @param timeline the per-second intervals
   * @param availability availability after a kill, or null without one
   */
  record Summary(
      long measuredNanos,
      Map<OpType, Histogram> latencies,
      Map<OpType, Long> conflicts,
      Histogram serviceTimes,
      Map<Result, Long> outcomes,
      List<Second> timeline,
      Availability availability) {
    /**
     * Successful operations: those in the latency histograms. (The outcome counters may differ by
     * the few operations in flight when the warm-up ended.)
     */
    long successes() {
      long n = 0;
      for (Histogram h : latencies.values()) {
        n += h.getTotalCount();
      }
      return n;
    }

    /** Failed operations. */
    long errors() {
      long n = 0;
      for (Map.Entry<Result, Long> e : outcomes.entrySet()) {
        if (!e.getKey().isSuccess()) {
          n += e.getValue();
        }
      }
      return n;
    }

    /** Successful operations per second over the measurement. */
    double opsPerSecond() {
      return measuredNanos <= 0 ? 0 : successes() * 1e9 / measuredNanos;
    }
  }

  Recorder(long startNanos) {
    for (OpType t : OpType.values()) {
      intervals.put(t, new org.HdrHistogram.Recorder(MAX_US, DIGITS));
      conflictCounts.put(t, new LongAdder());
      conflictTotals.put(t, 0L);
    }
    for (int i = 0; i < outcomeCounts.length; i++) {
      outcomeCounts[i] = new LongAdder();
    }
    this.intervalStartNanos = startNanos;
    this.measureStartNanos = startNanos;
  }

  /** Counts an operation as attempted; called when it is issued. */
  void issued(long intendedStartNanos) {
    if (killed && intendedStartNanos - killNanos >= 0) {
      attemptedAfterKill.increment();
    }
  }

  /**
   * Records a completed operation.
   *
   * @param intendedStartNanos when it should have started (the schedule slot in the open loop)
   * @param actualStartNanos when it was actually sent
   * @param endNanos when it completed
   */
  void record(
      OpType type, Result result, long intendedStartNanos, long actualStartNanos, long endNanos) {
    outcomeCounts[result.ordinal()].increment();
    if (result.isSuccess()) {
      intervals.get(type).recordValue(toMicros(endNanos - intendedStartNanos));
      serviceInterval.recordValue(toMicros(endNanos - actualStartNanos));
      if (result == Result.CONFLICT) {
        conflictCounts.get(type).increment();
      }
      if (killed) {
        long k = killNanos;
        if (intendedStartNanos - k >= 0) {
          succeededAfterKill.increment();
        }
        if (endNanos - k >= 0) {
          long prev = lastSuccessNanos.getAndAccumulate(endNanos, Math::max);
          if (endNanos - prev > 0) {
            longestGapNanos.accumulateAndGet(endNanos - prev, Math::max);
          }
        }
      }
    }
  }

  private static long toMicros(long nanos) {
    return Math.min(Math.max(nanos / 1000, 0), MAX_US);
  }

  /** Ends the warm-up: what was recorded so far is dropped, and the measurement starts. */
  void startMeasurement(long nowNanos) {
    harvest(nowNanos);
    measuring = true;
    measureStartNanos = nowNanos;
  }

  /** Notes that a node was killed now; availability is counted from here to the end. */
  void markKill(long nowNanos) {
    lastSuccessNanos.set(nowNanos);
    longestGapNanos.set(0);
    killNanos = nowNanos;
    killed = true;
  }

  /**
   * Closes the current interval. During the measurement, it is added to the totals and the
   * timeline.
   *
   * @return the interval, for the progress line
   */
  Second tick(long nowNanos) {
    return harvest(nowNanos);
  }

  private Second harvest(long nowNanos) {
    long length = nowNanos - intervalStartNanos;
    boolean killHere = killed && killNanos - intervalStartNanos >= 0 && nowNanos - killNanos > 0;
    intervalStartNanos = nowNanos;
    Histogram all = new Histogram(MAX_US, DIGITS);
    for (Map.Entry<OpType, org.HdrHistogram.Recorder> e : intervals.entrySet()) {
      Histogram interval = e.getValue().getIntervalHistogram();
      all.add(interval);
      if (measuring) {
        if (interval.getTotalCount() > 0) {
          totals.computeIfAbsent(e.getKey(), k -> new Histogram(MAX_US, DIGITS)).add(interval);
        }
        long c = conflictCounts.get(e.getKey()).sumThenReset();
        conflictTotals.merge(e.getKey(), c, Long::sum);
      } else {
        conflictCounts.get(e.getKey()).reset();
      }
    }
    Histogram service = serviceInterval.getIntervalHistogram();
    long errors = 0;
    for (Result r : Result.values()) {
      long n = outcomeCounts[r.ordinal()].sumThenReset();
      if (!r.isSuccess()) {
        errors += n;
      }
      if (measuring) {
        outcomeTotals[r.ordinal()] += n;
      }
    }
    if (measuring) {
      serviceTotal.add(service);
    }
    int second = (int) Math.round((nowNanos - measureStartNanos) / 1e9);
    Second s =
        new Second(
            second,
            all.getTotalCount(),
            errors,
            all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(50),
            all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(99),
            length,
            killHere);
    if (measuring) {
      timeline.add(s);
    }
    return s;
  }

  /** Closes the last interval (kept in the timeline if it lasted at least half a second). */
  Summary finish(long nowNanos) {
    boolean wasMeasuring = measuring;
    measuring = true;
    if (!wasMeasuring) {
      measureStartNanos = intervalStartNanos;
    }
    int before = timeline.size();
    Second last = harvest(nowNanos);
    if (last.lengthNanos() < 500_000_000L && timeline.size() > before && before > 0) {
      timeline.remove(timeline.size() - 1);
    }
    Map<Result, Long> outcomes = new EnumMap<>(Result.class);
    for (Result r : Result.values()) {
      outcomes.put(r, outcomeTotals[r.ordinal()]);
    }
    Availability availability = null;
    if (killed) {
      long tail = nowNanos - lastSuccessNanos.get();
      availability =
          new Availability(
              (killNanos - measureStartNanos) / 1e9,
              attemptedAfterKill.sum(),
              succeededAfterKill.sum(),
              Math.max(longestGapNanos.get(), tail));
    }
    return new Summary(
        nowNanos - measureStartNanos,
        new EnumMap<>(totals),
        new EnumMap<>(conflictTotals),
        serviceTotal,
        outcomes,
        List.copyOf(timeline),
        availability);
  }
}
