package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * CASPaxos phase 1b: the replica's answer to a {@link Prepare}.
 *
 * @param roundId the round answered
 * @param source the replica
 * @param key the register
 * @param ok whether the promise was given
 * @param promised the replica's promised ballot after handling (on a refusal: the higher ballot)
 * @param accepted the ballot of the replica's accepted value ({@link Ballot#ZERO} if none)
 * @param cell the accepted value, or null if none
 */
public record Promise(
    long roundId, NodeId source, String key, boolean ok, Ballot promised, Ballot accepted, Cell cell)
    implements Message {}
