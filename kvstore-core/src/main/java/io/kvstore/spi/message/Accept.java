package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * CASPaxos phase 2a: "accept {@code cell} under {@code ballot}". May carry a promise request for the
 * proposer's next ballot ({@code nextPromise}), so that its next write of the key skips phase 1, and
 * an {@link Answer} for the replica that forwarded the write.
 *
 * @param roundId the proposer's id for this round
 * @param source the proposer
 * @param target the replica addressed
 * @param key the register
 * @param ballot the ballot
 * @param cell the value to accept
 * @param nextPromise the proposer's next ballot to promise on success, or null
 * @param epoch the configuration epoch the proposer runs under; replicas of a newer epoch refuse it
 * @param answer for the replica that forwarded this write to the proposer: the outcome to tell its
 *     client once it takes this accept, or null. Only sent when the proposer itself has already
 *     taken the accept and the two of them make a quorum, so taking it means the value is chosen.
 */
public record Accept(
    long roundId,
    NodeId source,
    NodeId target,
    String key,
    Ballot ballot,
    Cell cell,
    Ballot nextPromise,
    long epoch,
    Answer answer)
    implements Message {

  /** An accept without an answer for its target. */
  public Accept(
      long roundId, NodeId source, NodeId target, String key, Ballot ballot, Cell cell,
      Ballot nextPromise, long epoch) {
    this(roundId, source, target, key, ballot, cell, nextPromise, epoch, null);
  }

  /**
   * What the forwarding replica tells its client when it takes the accept.
   *
   * @param opId the client operation forwarded to the proposer
   * @param applied whether the write changed the key (see {@code Outcome})
   * @param version the key's version after the write (the current one for a write not applied)
   */
  public record Answer(long opId, boolean applied, long version) {}
}
