/**
 * Simulation tests of the CASPaxos replication core: the production {@code ReplicaCore} on
 * simulated nodes, checked for linearizability over many seeds, and deliberately broken variants
 * that the checks must catch.
 */
package io.kvstore.sim.replication;
