package io.kvstore.sim.toy;

import io.kvstore.spi.Message;

/** The toy registers' wire vocabulary. */
final class ToyMessages {
  private ToyMessages() {}

  /** Operation kinds. */
  enum ToyOp {
    GET,
    PUT,
    DELETE,
    CAS,
    PUT_IF_ABSENT
  }

  /** A client request; {@code value} is null for get and delete. */
  record Request(long requestId, ToyOp op, String key, String value, long expectedVersion)
      implements Message {}

  /**
   * A server's answer.
   *
   * @param applied for writes: whether it wrote; for get: whether the key was present
   * @param value the value read (get)
   * @param version the version read or produced (0 = absent / none)
   */
  record Reply(long requestId, boolean applied, String value, long version) implements Message {}

  /** Replica-to-replica propagation of a write (value null = deleted). */
  record Replicate(String key, String value, long version) implements Message {}
}
