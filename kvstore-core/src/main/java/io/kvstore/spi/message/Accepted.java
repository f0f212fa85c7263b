package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * CASPaxos phase 2b: the replica's answer to an {@link Accept}.
 *
 * @param roundId the round answered
 * @param source the replica
 * @param key the register
 * @param ok whether the value was accepted
 * @param promised the replica's promised ballot after handling (on a refusal: the higher ballot)
 */
public record Accepted(long roundId, NodeId source, String key, boolean ok, Ballot promised)
    implements Message {}
