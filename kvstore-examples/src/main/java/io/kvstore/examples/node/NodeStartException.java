package io.kvstore.examples.node;

/**
 * A standalone node could not start (for example, its port is in use). The message is one line
 * meant for an operator.
 */
public final class NodeStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with its operator-facing message and the underlying cause. */
  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
