package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * Fast-path read: "what have you accepted for {@code key}?" — answered without promising anything.
 *
 * @param roundId the reader's id for this round
 * @param source the reader
 * @param target the replica addressed
 * @param key the register
 * @param epoch the configuration epoch the reader runs under; replicas of a newer epoch refuse it
 */
public record Read(long roundId, NodeId source, NodeId target, String key, long epoch) implements Message {}
