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
 * @param answered the accept carried an {@link Accept.Answer}, the replica took it, and no client
 *     of that operation waits on the replica any more (it answered it now, or earlier): the
 *     proposer need not send its reply. False from replicas that do not know answers.
 */
public record Accepted(long roundId, NodeId source, String key, boolean ok, Ballot promised, boolean answered)
    implements Message {

  /** An answer that says nothing about the forwarded operation. */
  public Accepted(long roundId, NodeId source, String key, boolean ok, Ballot promised) {
    this(roundId, source, key, ok, promised, false);
  }

  /** This answer, saying that the replica answered the forwarded operation's client. */
  public Accepted withAnswered() {
    return new Accepted(roundId, source, key, ok, promised, true);
  }
}
