package io.kvstore;

/**
 * A change in this node's view of the cluster.
 *
 * @param type what happened
 * @param member the member after the change
 */
public record MembershipEvent(Type type, Member member) {
  /** Kinds of membership change. */
  public enum Type {
    /** A member was seen for the first time. */
    JOINED,
    /** A member is suspected of having failed. */
    SUSPECTED,
    /** A suspected member refuted the suspicion. */
    ALIVE,
    /** A member was declared dead. */
    FAILED,
    /** A member left gracefully. */
    LEFT,
    /** A member's metadata changed. */
    UPDATED
  }
}
