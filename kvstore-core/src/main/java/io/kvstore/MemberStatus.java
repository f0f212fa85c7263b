package io.kvstore;

/** What the membership protocol believes about a member. */
public enum MemberStatus {
  /** Answering probes. */
  ALIVE,
  /** Missed probes; will be declared dead unless it refutes in time. */
  SUSPECT,
  /** Declared failed. */
  DEAD,
  /** Left the cluster gracefully. */
  LEFT;

  /** The lower-case name used in JSON and logs ({@code alive}, {@code suspect}, ...). */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
