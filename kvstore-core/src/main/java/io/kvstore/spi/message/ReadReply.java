package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * Answer to a {@link Read}.
 *
 * @param roundId the round answered
 * @param source the replica
 * @param key the register
 * @param accepted the ballot of the accepted value ({@link Ballot#ZERO} if none)
 * @param cell the accepted value, or null
 */
public record ReadReply(long roundId, NodeId source, String key, Ballot accepted, Cell cell)
    implements Message {}
