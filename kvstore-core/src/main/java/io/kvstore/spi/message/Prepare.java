package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * CASPaxos phase 1a: "promise not to accept ballots below {@code ballot} for {@code key}".
 *
 * @param roundId the proposer's id for this round; replies carry it
 * @param source the proposer
 * @param target the replica addressed (a replica ignores messages for an earlier boot of itself)
 * @param key the register
 * @param ballot the proposer's ballot
 * @param epoch the configuration epoch the proposer runs under; replicas of a newer epoch refuse it
 */
public record Prepare(long roundId, NodeId source, NodeId target, String key, Ballot ballot, long epoch)
    implements Message {}
