package io.kvstore;

/**
 * Competing writers of the same key kept preempting each other after the store's internal retries.
 * Definitely not applied; back off and retry.
 */
public final class ContentionException extends KvException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public ContentionException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "contention";
  }
}
