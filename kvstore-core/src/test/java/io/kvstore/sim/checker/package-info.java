/**
 * Linearizability checking of key-value histories: a versioned register model and a Wing–Gong
 * search with Lowe's memoisation, per key.
 */
package io.kvstore.sim.checker;
