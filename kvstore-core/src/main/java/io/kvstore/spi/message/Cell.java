package io.kvstore.spi.message;

import java.util.Arrays;

/**
 * The value of one key's register as accepted by a replica.
 *
 * @param value the value bytes, or null for a tombstone (the key was deleted); never mutated
 * @param version the key's version (a tombstone keeps the version of the delete)
 * @param expiresAtMillis wall-clock expiry in epoch milliseconds, 0 for never
 * @param requestId the id of the client operation that wrote this value, so a proposer that lost
 *     track of its own write can recognise it
 */
public record Cell(byte[] value, long version, long expiresAtMillis, long requestId) {
  /** Whether the register holds a live value at {@code wallMillis}. */
  public boolean liveAt(long wallMillis) {
    return value != null && (expiresAtMillis == 0 || wallMillis < expiresAtMillis);
  }

  /** Content equality (the value bytes compared by content). */
  public boolean sameAs(Cell o) {
    return o != null
        && version == o.version
        && expiresAtMillis == o.expiresAtMillis
        && requestId == o.requestId
        && Arrays.equals(value, o.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cell c && sameAs(c);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value) * 31 + Long.hashCode(version) * 17 + Long.hashCode(requestId);
  }

  @Override
  public String toString() {
    return "Cell{v" + version + (value == null ? " tombstone" : " " + value.length + "B") + "}";
  }
}
