package io.kvstore;

/**
 * Base class of every error a kvstore operation reports. Subclasses say whether the operation was
 * applied: see each one's Javadoc before retrying.
 */
public class KvException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public KvException(String message) {
    super(message);
  }

  /** Creates an exception with a message and a cause. */
  public KvException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A short, stable, machine-readable code for this error, used by adapters (HTTP, CLI). */
  public String code() {
    return "internal";
  }
}
