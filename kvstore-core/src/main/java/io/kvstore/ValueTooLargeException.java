package io.kvstore;

/** The value is longer than the store's limit. Not applied. */
public final class ValueTooLargeException extends KvException {
  private static final long serialVersionUID = 1L;
  private final int sizeBytes;
  private final int limitBytes;

  /** Creates the exception for a value of {@code sizeBytes} against a limit of {@code limitBytes}. */
  public ValueTooLargeException(int sizeBytes, int limitBytes) {
    super("value is " + sizeBytes + " bytes; the limit is " + limitBytes + " bytes");
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  /** The size of the rejected value in bytes. */
  public int sizeBytes() {
    return sizeBytes;
  }

  /** The configured limit. */
  public int limitBytes() {
    return limitBytes;
  }

  @Override
  public String code() {
    return "value_too_large";
  }
}
