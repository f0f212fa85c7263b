package io.kvstore.sim;

import java.time.Duration;

/**
 * The shape of a simulated client workload.
 *
 * @param keys how many distinct keys ("k0".."k{n-1}") the clients use
 * @param opsPerClient how many operations each client issues before it stops
 * @param timeout how long a client waits for an answer before it records an unknown outcome
 * @param maxThink the longest pause between a client's operations (uniform from 1 µs)
 * @param getWeight relative weight of gets
 * @param putWeight relative weight of puts
 * @param deleteWeight relative weight of deletes
 * @param casWeight relative weight of compare-and-sets
 * @param putIfAbsentWeight relative weight of put-if-absents
 */
public record WorkloadConfig(
    int keys,
    int opsPerClient,
    Duration timeout,
    Duration maxThink,
    int getWeight,
    int putWeight,
    int deleteWeight,
    int casWeight,
    int putIfAbsentWeight) {
  /** Validates the knobs. */
  public WorkloadConfig {
    if (keys <= 0 || opsPerClient < 0) {
      throw new IllegalArgumentException("keys must be positive, opsPerClient not negative");
    }
    if (timeout.isNegative() || timeout.isZero() || maxThink.isNegative()) {
      throw new IllegalArgumentException("bad timeout or think time");
    }
    if (getWeight + putWeight + deleteWeight + casWeight + putIfAbsentWeight <= 0) {
      throw new IllegalArgumentException("no operation has weight");
    }
  }

  /** A mixed workload: 40% get, 25% put, 5% delete, 20% cas, 10% put-if-absent. */
  public static WorkloadConfig mixed(int keys, int opsPerClient) {
    return new WorkloadConfig(
        keys, opsPerClient, Duration.ofMillis(500), Duration.ofMillis(20), 40, 25, 5, 20, 10);
  }

  /** This with another number of operations per client. */
  public WorkloadConfig withOpsPerClient(int n) {
    return new WorkloadConfig(
        keys,
        n,
        timeout,
        maxThink,
        getWeight,
        putWeight,
        deleteWeight,
        casWeight,
        putIfAbsentWeight);
  }
}
