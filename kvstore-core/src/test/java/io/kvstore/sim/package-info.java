/**
 * The deterministic cluster simulator: a discrete-event scheduler in virtual time, per-node event
 * loops, a seeded hostile network, crash and restart, fault schedules, simulated clients and the
 * history they record, seeds as test inputs with replay and shrinking. See {@code docs/TESTING.md}.
 */
package io.kvstore.sim;
