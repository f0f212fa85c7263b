/**
 * SWIM membership with HashiCorp's Lifeguard extensions, as an I/O-free core ({@link
 * io.kvstore.internal.membership.SwimCore}) plus one file per concept (member table, suspicion,
 * awareness, transmit-limited gossip queue, pause detector, configuration) and a thin driver
 * ({@link io.kvstore.internal.membership.MembershipService}) that runs the core on an event loop.
 * See {@code docs/protocol/swim.md}.
 */
package io.kvstore.internal.membership;
