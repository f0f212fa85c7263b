/**
 * Toy replicated registers that exercise the simulator end to end: a correct single server and a
 * deliberately broken asynchronously replicated one, with their client.
 */
package io.kvstore.sim.toy;
