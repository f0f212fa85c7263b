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
 * @param versionFloor the highest version of any purged key that shares this key's floor bucket
 *     (0 if none): a new value of a purged key must get a higher version
 */
public record Promise(
    long roundId,
    NodeId source,
    String key,
    boolean ok,
    Ballot promised,
    Ballot accepted,
    Cell cell,
    long versionFloor)
    implements Message {
  /** A promise with no version floor. */
  public Promise(
      long roundId, NodeId source, String key, boolean ok, Ballot promised, Ballot accepted, Cell cell) {
    this(roundId, source, key, ok, promised, accepted, cell, 0);
  }
}
