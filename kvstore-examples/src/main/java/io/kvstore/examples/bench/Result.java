package io.kvstore.examples.bench;

/**
 * How an operation ended, as the load generator counts it.
 *
 * <p>{@link #OK} and {@link #CONFLICT} are successes (the store gave a definite answer); the others
 * are errors, counted by kind.
 */
enum Result {
  /** Done: a read (of a present or absent key) or an applied write. */
  OK,
  /** A compare-and-set that lost or a put-if-absent of a present key: a normal outcome. */
  CONFLICT,
  /**
   * Refused without being applied: connection refused, a 4xx other than 404/409, or a store that is
   * closed or under contention.
   */
  REFUSED,
  /** 503 or {@code QuorumUnavailableException}: definitely not applied. */
  UNAVAILABLE,
  /** 504 or {@code OutcomeUnknownException}: may or may not have been applied. */
  UNKNOWN_OUTCOME,
  /** Anything else: other 5xx, a broken connection, a client-side timeout. */
  ERROR;

  /** Whether the store answered definitely. */
  boolean isSuccess() {
    return this == OK || this == CONFLICT;
  }
}
