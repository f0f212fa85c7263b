package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * The coordinator's answer to a {@link ClientRequest}.
 *
 * @param opId the operation answered
 * @param source the coordinator
 * @param status how it ended
 * @param applied see {@code Outcome.applied}
 * @param version see {@code Outcome.version}
 * @param value the value read, or null
 * @param reason a human-readable reason for a failure, or empty
 */
public record ClientReply(
    long opId, NodeId source, Status status, boolean applied, long version, byte[] value, String reason)
    implements Message {
  /** How an operation ended. */
  public enum Status {
    /** Linearized. */
    DONE,
    /** Definitely not applied: no quorum. */
    UNAVAILABLE,
    /** Definitely not applied: competing proposers. */
    CONTENTION,
    /** May or may not have been applied. */
    UNKNOWN
  }
}
