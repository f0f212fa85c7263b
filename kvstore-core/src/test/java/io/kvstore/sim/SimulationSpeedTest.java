package io.kvstore.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.sim.toy.ToyCluster;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Measures how fast virtual time runs for a 5-node, 10-client workload and prints it (never
 * asserted). Run: {@code mvn -o -pl kvstore-core test -Dtest=SimulationSpeedTest}; the figures are
 * in {@code target/surefire-reports/io.kvstore.sim.SimulationSpeedTest-output.txt}.
 */
final class SimulationSpeedTest {
  private static final int OPS_PER_CLIENT = Integer.getInteger("sim.speed.ops", 5_000);

  @Test
  void simulatedSecondsPerWallSecond() {
    // Warm-up run, then the measured one.
    run(1_000);
    long t0 = System.nanoTime();
    ToyCluster c = run(OPS_PER_CLIENT);
    double wallSeconds = (System.nanoTime() - t0) / 1e9;
    Simulation sim = c.simulation();
    double simSeconds = sim.nowNanos() / 1e9;
    assertThat(c.history().size()).isEqualTo(10 * OPS_PER_CLIENT);
    System.out.printf(
        Locale.ROOT,
        "5 nodes, 10 clients: %.1f simulated s in %.2f wall s = %.0f simulated s per wall s; "
            + "%d events (%.0f events/s), %d operations, %d messages delivered%n",
        simSeconds,
        wallSeconds,
        simSeconds / wallSeconds,
        sim.scheduler().executedEvents(),
        sim.scheduler().executedEvents() / wallSeconds,
        c.history().size(),
        sim.network().deliveredMessages());
  }

  private static ToyCluster run(int opsPerClient) {
    WorkloadConfig config =
        new WorkloadConfig(
            100, opsPerClient, Duration.ofMillis(500), Duration.ofMillis(10), 40, 25, 5, 20, 10);
    ToyCluster c = new ToyCluster(99, ToyCluster.Kind.ASYNC_REPLICATED, 5, 10, config);
    c.run(FaultSchedule.none());
    return c;
  }
}
