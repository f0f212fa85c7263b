package io.kvstore.sim;

/**
 * What one seeded run does besides what the seed decides: its fault schedule and the size of its
 * workload. Shrinking makes both smaller while the run still fails.
 *
 * @param faults the fault schedule
 * @param opsPerClient operations each client issues
 */
public record SimPlan(FaultSchedule faults, int opsPerClient) {
  @Override
  public String toString() {
    return faults.size() + " faults, " + opsPerClient + " ops per client:\n" + faults;
  }
}
