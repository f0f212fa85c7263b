package io.kvstore;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value together with its version. Versions of one key strictly increase with every write of that
 * key, across deletes, and are never reused; they are the tokens that {@link
 * KvStore#compareAndSet} and {@link KvStore#replace} compare against.
 *
 * <p>Immutable. For {@code byte[]} values the store hands out a fresh copy for each read, so the
 * caller may keep or modify the array.
 *
 * @param <T> the value type: {@code byte[]} for the raw API, or a codec's type for a typed view
 */
public final class Versioned<T> {
  private final T value;
  private final long version;

  /**
   * Creates a versioned value.
   *
   * @throws IllegalArgumentException if {@code version} is not positive
   */
  public Versioned(T value, long version) {
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
    this.value = Objects.requireNonNull(value, "value");
    this.version = version;
  }

  /** The value. */
  public T value() {
    return value;
  }

  /** The version, a positive number that increases with every write of the key. */
  public long version() {
    return version;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Versioned<?> other)) {
      return false;
    }
    return version == other.version && Objects.deepEquals(value, other.value);
  }

  @Override
  public int hashCode() {
    int h = value instanceof byte[] bytes ? Arrays.hashCode(bytes) : value.hashCode();
    return 31 * h + Long.hashCode(version);
  }

  @Override
  public String toString() {
    String shown = value instanceof byte[] bytes ? bytes.length + " bytes" : String.valueOf(value);
    return "Versioned{version=" + version + ", value=" + shown + "}";
  }
}
