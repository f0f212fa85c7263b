package io.kvstore.internal.ops;

import java.util.Objects;

/**
 * A client operation on one key, as a value. Applied by {@link ChangeFunction#apply}.
 *
 * @param kind what to do
 * @param value the value to write (null for get and delete); never mutated
 * @param expectedVersion for {@link Kind#COMPARE_AND_SET}: the version expected (0 = absent)
 * @param ttlNanos time to live of the written value, 0 = forever
 */
public record Command(Kind kind, byte[] value, long expectedVersion, long ttlNanos) {
  /** Operation kinds. */
  public enum Kind {
    GET,
    PUT,
    DELETE,
    COMPARE_AND_SET,
    PUT_IF_ABSENT,
    /**
     * Internal to replication: turn a deleted or expired value into a tombstone on every replica
     * and then drop it (see {@code Proposer}). Never a client operation.
     */
    PURGE;

    /** Whether this kind never changes state. */
    public boolean isRead() {
      return this == GET;
    }
  }

  /** Validates the shape of the command. */
  public Command {
    Objects.requireNonNull(kind, "kind");
    boolean writesValue = kind == Kind.PUT || kind == Kind.COMPARE_AND_SET || kind == Kind.PUT_IF_ABSENT;
    if (writesValue != (value != null)) {
      throw new IllegalArgumentException(kind + (writesValue ? " needs" : " takes no") + " value");
    }
    if (ttlNanos < 0) {
      throw new IllegalArgumentException("negative ttl");
    }
    if (expectedVersion < 0) {
      throw new IllegalArgumentException("negative expected version");
    }
  }

  /** A read. */
  public static Command get() {
    return new Command(Kind.GET, null, 0, 0);
  }

  /** An unconditional write. */
  public static Command put(byte[] value, long ttlNanos) {
    return new Command(Kind.PUT, value, 0, ttlNanos);
  }

  /** A delete. */
  public static Command delete() {
    return new Command(Kind.DELETE, null, 0, 0);
  }

  /** A conditional write on the version (0 = absent). */
  public static Command compareAndSet(long expectedVersion, byte[] value, long ttlNanos) {
    return new Command(Kind.COMPARE_AND_SET, value, expectedVersion, ttlNanos);
  }

  /** The internal purge of a deleted or expired key. */
  public static Command purge() {
    return new Command(Kind.PURGE, null, 0, 0);
  }

  /** A write only if absent. */
  public static Command putIfAbsent(byte[] value, long ttlNanos) {
    return new Command(Kind.PUT_IF_ABSENT, value, 0, ttlNanos);
  }
}
