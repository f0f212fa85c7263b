package io.kvstore;

/**
 * The deadline passed after the write may have reached a replica. <b>The outcome is unknown</b>: the
 * write may or may not have taken effect, and may still take effect later. Re-read before retrying
 * a non-idempotent operation; a compare-and-set retried with the same expected version is safe.
 */
public final class OutcomeUnknownException extends KvException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public OutcomeUnknownException(String message) {
    super(message);
  }

  /** Creates the exception with a cause. */
  public OutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String code() {
    return "outcome_unknown";
  }
}
