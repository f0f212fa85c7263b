package io.kvstore;

/** The key is empty or longer (in UTF-8 bytes) than the store's limit. Not applied. */
public final class KeyTooLargeException extends KvException {
  private static final long serialVersionUID = 1L;
  private final int sizeBytes;
  private final int limitBytes;

  /** Creates the exception for a key of {@code sizeBytes} against a limit of {@code limitBytes}. */
  public KeyTooLargeException(int sizeBytes, int limitBytes) {
    super("key is " + sizeBytes + " bytes (UTF-8); the limit is " + limitBytes + " bytes");
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  /** The size of the rejected key in UTF-8 bytes. */
  public int sizeBytes() {
    return sizeBytes;
  }

  /** The configured limit. */
  public int limitBytes() {
    return limitBytes;
  }

  @Override
  public String code() {
    return "key_too_large";
  }
}
