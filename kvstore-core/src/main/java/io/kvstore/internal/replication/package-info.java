/**
 * Per-key replication by CASPaxos (Rystsov, 2018): every key is a linearizable register kept by its
 * replicas. {@link io.kvstore.internal.replication.Acceptor} is the replica role, {@link
 * io.kvstore.internal.replication.Proposer} the coordinator role; both are pure state machines
 * (messages, ticks and commands in; messages and completions out) with no I/O, threads or clocks of
 * their own, so the deterministic simulator runs them unchanged.
 */
package io.kvstore.internal.replication;
