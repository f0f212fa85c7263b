package io.kvstore;

/**
 * Not enough replicas of the key are reachable to reach a quorum, so the operation was refused
 * before anything was sent. <b>Definitely not applied</b>; safe to retry later, for example after
 * the network heals.
 */
public final class QuorumUnavailableException extends KvException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public QuorumUnavailableException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "unavailable";
  }
}
