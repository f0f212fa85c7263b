package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * CASPaxos phase 2a: "accept {@code cell} under {@code ballot}". May carry a promise request for the
 * proposer's next ballot ({@code nextPromise}), so that its next write of the key skips phase 1.
 *
 * @param roundId the proposer's id for this round
 * @param source the proposer
 * @param target the replica addressed
 * @param key the register
 * @param ballot the ballot
 * @param cell the value to accept
 * @param nextPromise the proposer's next ballot to promise on success, or null
 * @param epoch the configuration epoch the proposer runs under; replicas of a newer epoch refuse it
 */
public record Accept(
    long roundId,
    NodeId source,
    NodeId target,
    String key,
    Ballot ballot,
    Cell cell,
    Ballot nextPromise,
    long epoch)
    implements Message {}
