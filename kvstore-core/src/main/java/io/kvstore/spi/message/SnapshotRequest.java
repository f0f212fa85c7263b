package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * Catch-up: a new replica of {@code partition} asks an old replica for the next chunk of its
 * acceptor state, under joint configuration {@code epoch}. The old replica answers only once it
 * has installed that epoch (from then on it refuses writes of older epochs), so its snapshot holds
 * every value chosen before the change.
 *
 * @param source the new replica
 * @param target the old replica asked
 * @param epoch the joint configuration epoch
 * @param partition the partition
 * @param offset how many entries of the old replica's snapshot the new replica already has
 * @param maxEntries the most entries to send in one chunk
 */
public record SnapshotRequest(
    NodeId source, NodeId target, long epoch, int partition, int offset, int maxEntries)
    implements Message {}
