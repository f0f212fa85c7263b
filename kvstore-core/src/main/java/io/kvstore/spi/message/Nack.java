package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * Lifeguard: a ping-req helper tells the requester that the target did not answer in time, so the
 * requester knows its own link to the helper works (a missing nack hints at the requester's own
 * trouble).
 *
 * @param seq the requester's sequence number
 * @param source the helper
 */
public record Nack(long seq, NodeId source) implements Message {}
