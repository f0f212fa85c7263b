package io.kvstore.sim;

import java.util.Objects;

/**
 * One client operation of a {@link History}: what was asked, when, and what came back.
 *
 * <p>Field meanings (they mirror the real API, where {@code compareAndSet(key, expectedVersion,
 * value)} compares versions and version 0 means "absent"):
 *
 * <ul>
 *   <li>{@code value}: the value written (put, cas, put-if-absent) or the value read (get; null =
 *       absent); null for delete.
 *   <li>{@code expectedVersion}: the version a cas expects (0 = absent); 0 for other kinds.
 *   <li>{@code applied}: for an {@link Status#OK} delete, cas or put-if-absent, the boolean the
 *       store returned (did it write); true for get and put.
 *   <li>{@code version}: the version a put/cas/put-if-absent produced or a get read (0 when the get
 *       found nothing); {@link #UNKNOWN_VERSION} when not known (value-only histories, unknown
 *       outcomes).
 * </ul>
 *
 * @param process the client process id (a process never has two operations in flight)
 * @param kind the operation kind
 * @param key the key
 * @param value see above
 * @param expectedVersion see above
 * @param status ok, failed (definitely not applied) or unknown (may or may not have applied)
 * @param applied see above
 * @param version see above
 * @param callNanos virtual time of the invocation
 * @param returnNanos virtual time of the completion (for unknown outcomes: when the client gave up)
 */
public record Operation(
    int process,
    Kind kind,
    String key,
    String value,
    long expectedVersion,
    Status status,
    boolean applied,
    long version,
    long callNanos,
    long returnNanos) {

  /** The version of an operation whose version was not observed. */
  public static final long UNKNOWN_VERSION = -1;

  /** Operation kinds. */
  public enum Kind {
    GET,
    PUT,
    DELETE,
    CAS,
    PUT_IF_ABSENT;

    /** Whether operations of this kind carry a value to write. */
    public boolean writesValue() {
      return this == PUT || this == CAS || this == PUT_IF_ABSENT;
    }
  }

  /** The outcome class of an operation. */
  public enum Status {
    /** Completed; the result fields are meaningful. */
    OK,
    /** Definitely not applied. */
    FAIL,
    /** May or may not have been applied (for example a timeout after the request left). */
    UNKNOWN
  }

  /** Validates the shape. */
  public Operation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(status, "status");
    if (kind.writesValue() && value == null) {
      throw new IllegalArgumentException(kind + " needs a value");
    }
    if (kind == Kind.DELETE && value != null) {
      throw new IllegalArgumentException("delete takes no value");
    }
    if (returnNanos < callNanos) {
      throw new IllegalArgumentException(
          "returns before its call: " + callNanos + " > " + returnNanos);
    }
    if (version < UNKNOWN_VERSION || expectedVersion < 0) {
      throw new IllegalArgumentException("bad version");
    }
  }

  /** A completed get that read {@code value} (null = absent) at {@code version}. */
  public static Operation get(
      int process, String key, String value, long version, long call, long ret) {
    return new Operation(process, Kind.GET, key, value, 0, Status.OK, true, version, call, ret);
  }

  /** A completed put that produced {@code version}. */
  public static Operation put(
      int process, String key, String value, long version, long call, long ret) {
    return new Operation(process, Kind.PUT, key, value, 0, Status.OK, true, version, call, ret);
  }

  /** A completed delete that returned {@code applied} (whether the key was present). */
  public static Operation delete(int process, String key, boolean applied, long call, long ret) {
    return new Operation(
        process, Kind.DELETE, key, null, 0, Status.OK, applied, UNKNOWN_VERSION, call, ret);
  }

  /** A completed cas that returned {@code applied}, producing {@code version} when it applied. */
  public static Operation cas(
      int process,
      String key,
      long expected,
      String value,
      boolean applied,
      long version,
      long call,
      long ret) {
    return new Operation(
        process, Kind.CAS, key, value, expected, Status.OK, applied, version, call, ret);
  }

  /** A completed put-if-absent that returned {@code applied}. */
  public static Operation putIfAbsent(
      int process, String key, String value, boolean applied, long version, long call, long ret) {
    return new Operation(
        process, Kind.PUT_IF_ABSENT, key, value, 0, Status.OK, applied, version, call, ret);
  }

  /** This operation with an unknown outcome (result fields cleared). */
  public Operation unknown() {
    return new Operation(
        process,
        kind,
        key,
        kind == Kind.GET ? null : value,
        expectedVersion,
        Status.UNKNOWN,
        false,
        UNKNOWN_VERSION,
        callNanos,
        returnNanos);
  }

  /** This operation marked as definitely not applied (result fields cleared). */
  public Operation failed() {
    return new Operation(
        process,
        kind,
        key,
        kind == Kind.GET ? null : value,
        expectedVersion,
        Status.FAIL,
        false,
        UNKNOWN_VERSION,
        callNanos,
        returnNanos);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append('p').append(process).append(' ').append(kind.name().toLowerCase()).append('(');
    sb.append(key);
    if (kind == Kind.CAS) {
      sb.append(", expect v").append(expectedVersion);
    }
    if (kind.writesValue()) {
      sb.append(", ").append(value);
    }
    sb.append(") [").append(callNanos).append("..").append(returnNanos).append("] ");
    switch (status) {
      case FAIL -> sb.append("FAIL");
      case UNKNOWN -> sb.append("UNKNOWN");
      default -> {
        if (kind == Kind.GET) {
          sb.append("-> ").append(value == null ? "absent" : value);
        } else if (kind != Kind.PUT) {
          sb.append("-> ").append(applied);
        } else {
          sb.append("-> ok");
        }
        if (version != UNKNOWN_VERSION) {
          sb.append(" v").append(version);
        }
      }
    }
    return sb.toString();
  }
}
