package io.kvstore.sim;

import io.kvstore.spi.Clock;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Transport;
import java.util.SplittableRandom;

/**
 * Everything one incarnation of a simulated node gets from the simulation: its seams. A node must
 * take time, scheduling, networking and randomness from here only.
 *
 * @param name the host name (stable across restarts)
 * @param bootId a fresh random id of this incarnation
 * @param endpoint the host's address
 * @param eventLoop this incarnation's event loop (dies with it)
 * @param clock virtual time
 * @param transport this incarnation's transport (not started yet)
 * @param random this incarnation's own seeded random source
 * @param simulation the simulation, for tests that need more
 */
public record NodeContext(
    String name,
    long bootId,
    Endpoint endpoint,
    SimEventLoop eventLoop,
    Clock clock,
    Transport transport,
    SplittableRandom random,
    Simulation simulation) {}
