package io.kvstore;

/**
 * A conditional write ({@link KvStore#replace}) found another version than the one expected. Not
 * applied. {@link #currentVersion()} is the version seen (0 when the key was absent), so a caller can
 * re-read and retry.
 */
public final class VersionConflictException extends KvException {
  private static final long serialVersionUID = 1L;
  private final String key;
  private final long expectedVersion;
  private final long currentVersion;

  /** Creates the exception. */
  public VersionConflictException(String key, long expectedVersion, long currentVersion) {
    super(
        "version conflict on key '"
            + key
            + "': expected version "
            + expectedVersion
            + ", found "
            + (currentVersion == 0 ? "no value" : "version " + currentVersion));
    this.key = key;
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }

  /** The key written. */
  public String key() {
    return key;
  }

  /** The version the caller expected. */
  public long expectedVersion() {
    return expectedVersion;
  }

  /** The version found, 0 if the key was absent. */
  public long currentVersion() {
    return currentVersion;
  }

  @Override
  public String code() {
    return "version_conflict";
  }
}
