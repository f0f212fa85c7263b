package io.kvstore.internal.ops;

/**
 * The stored state of one live key. Immutable; the value array is never mutated after creation.
 *
 * @param value the value bytes
 * @param version the key's version, positive
 * @param expiresAtNanos the clock reading at which the value expires, or 0 for never
 */
public record KeyRecord(byte[] value, long version, long expiresAtNanos) {
  /** Checks the invariants. */
  public KeyRecord {
    if (value == null) {
      throw new IllegalArgumentException("value must not be null");
    }
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
  }

  /** Whether the value has expired at {@code nowNanos}. */
  public boolean expiredAt(long nowNanos) {
    return expiresAtNanos != 0 && nowNanos - expiresAtNanos >= 0;
  }
}
