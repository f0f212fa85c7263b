package io.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.examples.bench.Recorder.Summary;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The drivers in virtual time against a fake server, so every number is exact. */
class DriverTest {
  private static final long START = TimeUnit.SECONDS.toNanos(1000);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long SERVICE = TimeUnit.MICROSECONDS.toNanos(100);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private static Driver.Plan plan(String workload) {
    return new Driver.Plan(
        Workload.parse(workload), new KeyChooser(100, KeyChooser.Distribution.UNIFORM), 4, 1);
  }

  @Test
  void openLoopChargesAStallToEveryOperationItDelayed() {
    VirtualClock clock = new VirtualClock(START);
    FakeTarget target =
        new FakeTarget(clock, SERVICE, t -> Result.OK).stallOnce(START + 3 * SECOND, SECOND);
    Recorder recorder = new Recorder(START);
    recorder.startMeasurement(START);
    Driver driver = new Driver(target, recorder, clock, plan("put"));

    boolean drained = driver.runOpen(START, START + 10 * SECOND, 1000, SECOND);
    Summary sum = recorder.finish(clock.nanoTime());

    assertThat(drained).isTrue();
    assertThat(target.calls()).isEqualTo(10_000);
    Histogram corrected = sum.latencies().get(OpType.PUT);
    Histogram uncorrected = sum.serviceTimes();
    assertThat(corrected.getTotalCount()).isEqualTo(10_000);
    // About 1100 operations were due during the stall or its catch-up, waiting from ~1 s down to
    // ~0 s: they are 11% of all, so the corrected p99 is deep inside the stall ...
    assertThat(corrected.getValueAtPercentile(99)).isGreaterThan(800_000);
    assertThat(corrected.getValueAtPercentile(80)).isLessThan(1_000);
    assertThat(corrected.getMaxValue()).isGreaterThanOrEqualTo(1_000_000);
    // ... while the uncorrected time (from the late send) sees one slow call in 10000.
    assertThat(uncorrected.getValueAtPercentile(99)).isLessThan(1_000);
    assertThat(uncorrected.getMaxValue()).isGreaterThanOrEqualTo(1_000_000);
    // The driver says it fell behind: the op due 1 ms after the stall began was sent ~1 s late.
    assertThat(driver.maxSendLagNanos()).isEqualTo(SECOND - MS + SERVICE);
    assertThat(driver.lateSends()).isBetween(1000L, 1200L);
  }

  @Test
  void closedLoopHidesTheStallWhichIsWhyTheOpenLoopExists() {
    VirtualClock clock = new VirtualClock(START);
    FakeTarget target =
        new FakeTarget(clock, SERVICE, t -> Result.OK).stallOnce(START + 3 * SECOND, SECOND);
    Recorder recorder = new Recorder(START);
    recorder.startMeasurement(START);
    Driver.Plan onlyOne =
        new Driver.Plan(
            Workload.parse("get"), new KeyChooser(10, KeyChooser.Distribution.UNIFORM), 1, 1);
    Driver driver = new Driver(target, recorder, clock, onlyOne);

    boolean done;
    try {
      done = driver.runClosed(START + 10 * SECOND, SECOND);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    Summary sum = recorder.finish(clock.nanoTime());

    assertThat(done).isTrue();
    Histogram h = sum.latencies().get(OpType.GET);
    assertThat(h.getTotalCount()).isEqualTo(target.calls());
    assertThat(h.getValueAtPercentile(99.9)).isLessThan(1_000);
    assertThat(h.getMaxValue()).isGreaterThanOrEqualTo(1_000_000);
  }

  @Test
  void availabilityCountsFromTheKillToTheEnd() {
    VirtualClock clock = new VirtualClock(START);
    long killAt = START + 4 * SECOND;
    long recoverAt = START + 6 * SECOND;
    // The cluster answers "unavailable" for two seconds after the kill, then recovers.
    FakeTarget target =
        new FakeTarget(
            clock, SERVICE, t -> t >= killAt && t < recoverAt ? Result.UNAVAILABLE : Result.OK);
    Recorder recorder = new Recorder(START);
    recorder.startMeasurement(START);
    for (int s = 1; s <= 10; s++) {
      long at = START + s * SECOND;
      clock.at(at, () -> recorder.tick(at));
    }
    clock.at(killAt, () -> recorder.markKill(killAt));
    Driver driver = new Driver(target, recorder, clock, plan("mixed:50"));

    driver.runOpen(START, START + 10 * SECOND, 1000, SECOND);
    Summary sum = recorder.finish(clock.nanoTime());

    Recorder.Availability a = sum.availability();
    assertThat(a).isNotNull();
    assertThat(a.killedAtSeconds()).isEqualTo(4.0);
    assertThat(a.attempted()).isEqualTo(6000);
    assertThat(a.succeeded()).isEqualTo(4000);
    assertThat(a.percent()).isBetween(66.66, 66.67);
    // No success from the kill until the first operation after recovery completes.
    assertThat(a.longestGapNanos()).isBetween(2 * SECOND, 2 * SECOND + 2 * SERVICE);
    assertThat(sum.outcomes().get(Result.UNAVAILABLE)).isEqualTo(2000);
    assertThat(sum.timeline()).hasSize(10);
    for (Recorder.Second s : sum.timeline()) {
      boolean outage = s.second() == 5 || s.second() == 6;
      assertThat(s.errors()).as("second %d", s.second()).isEqualTo(outage ? 1000 : 0);
      assertThat(s.ops()).as("second %d", s.second()).isEqualTo(outage ? 0 : 1000);
      assertThat(s.kill()).as("second %d", s.second()).isEqualTo(s.second() == 5);
    }
  }
}
