package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * A client operation forwarded to the coordinator of its key (the first live replica), so that the
 * writes of one key come from one proposer and rarely compete.
 *
 * @param opId the operation's cluster-unique id (answers and deduplication use it)
 * @param source the node the client called
 * @param target the coordinator addressed
 * @param key the key
 * @param kind the operation
 * @param value the value written, or null
 * @param expectedVersion for compare-and-set, the expected version (0 = absent)
 * @param ttlNanos time to live of a written value, 0 = forever
 * @param timeoutNanos how long the coordinator may work on it
 */
public record ClientRequest(
    long opId,
    NodeId source,
    NodeId target,
    String key,
    Kind kind,
    byte[] value,
    long expectedVersion,
    long ttlNanos,
    long timeoutNanos)
    implements Message {
  /** Operation kinds, as on the wire. */
  public enum Kind {
    GET,
    PUT,
    DELETE,
    COMPARE_AND_SET,
    PUT_IF_ABSENT
  }
}
