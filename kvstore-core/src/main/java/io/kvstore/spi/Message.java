package io.kvstore.spi;

/**
 * A protocol message exchanged between nodes: a plain, immutable value (usually a record in the
 * vocabulary of the protocol's paper). Cores produce and consume messages; transports encode them.
 */
public interface Message {}
