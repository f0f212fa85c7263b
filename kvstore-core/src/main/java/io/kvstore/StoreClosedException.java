package io.kvstore;

/** The store is not running (closing or closed). Not applied. */
public final class StoreClosedException extends KvException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public StoreClosedException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "closed";
  }
}
