package io.kvstore.internal.ops;

/**
 * Applies a {@link Command} to one key's record: a pure function, the "change function" of CASPaxos.
 *
 * <p>Versions: a write gives the key {@code max(current version, floor) + 1}, where the floor is the
 * highest version of any key of the partition that was removed (deleted or expired). So a key's
 * versions keep increasing across delete and re-create without keeping a tombstone per deleted key.
 */
public final class ChangeFunction {
  private ChangeFunction() {}

  /**
   * The result of applying a command.
   *
   * @param changed whether the record changed
   * @param next the new record when changed (null = the key is removed)
   * @param outcome what to tell the client
   */
  public record Step(boolean changed, KeyRecord next, Outcome outcome) {}

  /**
   * Applies {@code command} to {@code live} (the current record, null if absent or expired).
   *
   * @param live the live record or null
   * @param floorVersion the partition's version floor (see class doc)
   * @param nowNanos current clock reading, for TTLs
   */
  public static Step apply(KeyRecord live, long floorVersion, Command command, long nowNanos) {
    long currentVersion = live == null ? 0 : live.version();
    switch (command.kind()) {
      case GET:
        return unchanged(live != null, currentVersion, live == null ? null : live.value());
      case PUT:
        return write(live, floorVersion, command, nowNanos);
      case DELETE:
        if (live == null) {
          return unchanged(false, 0, null);
        }
        return new Step(true, null, new Outcome(true, 0, null));
      case COMPARE_AND_SET:
        if (command.expectedVersion() != currentVersion) {
          return unchanged(false, currentVersion, null);
        }
        return write(live, floorVersion, command, nowNanos);
      case PUT_IF_ABSENT:
        if (live != null) {
          return unchanged(false, currentVersion, null);
        }
        return write(null, floorVersion, command, nowNanos);
      case PURGE:
        throw new IllegalArgumentException("purge is internal to replication");
      default:
        throw new AssertionError(command.kind());
    }
  }

  private static Step unchanged(boolean applied, long version, byte[] value) {
    return new Step(false, null, new Outcome(applied, version, value));
  }

  private static Step write(KeyRecord live, long floorVersion, Command command, long nowNanos) {
    long base = Math.max(live == null ? 0 : live.version(), floorVersion);
    long version = Math.addExact(base, 1);
    long expires = 0;
    if (command.ttlNanos() > 0) {
      expires = nowNanos + command.ttlNanos();
      if (expires == 0) {
        expires = 1; // 0 means "never"
      }
    }
    KeyRecord next = new KeyRecord(command.value(), version, expires);
    return new Step(true, next, new Outcome(true, version, null));
  }
}
