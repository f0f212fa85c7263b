/**
 * The protocol messages exchanged between nodes, as plain immutable records in the vocabulary of the
 * papers (SWIM: ping, ping-req, ack, nack, member updates; push-pull state exchange). Public only
 * because {@link io.kvstore.spi.Transport} carries them: for transport implementors; they may change
 * in minor versions.
 */
package io.kvstore.spi.message;
