package io.kvstore.net.codec;

/**
 * A packet that parsed as protobuf but does not hold a valid protocol message: an empty or unknown
 * body, a missing required field, or a value out of range. The transport drops such a packet and
 * counts it as garbage; it is never a programming error on this side.
 */
public final class ProtoDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming what was wrong. */
  public ProtoDecodeException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the validation error that caused it. */
  public ProtoDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
