package io.kvstore.internal.replication;

import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.spi.message.Cell;

/**
 * The CASPaxos change functions of the client operations over a register's {@link Cell}. Pure.
 *
 * <p>Versions: every changing write (deletes included: a delete writes a tombstone) gives the key
 * its previous version plus one, so versions strictly increase per key and a compare-and-set on a
 * version can never match a value that was deleted and written again.
 */
final class RegisterFunction {
  private RegisterFunction() {}

  /**
   * The result of applying a command.
   *
   * @param next the new cell, or null if the command changes nothing
   * @param outcome what to tell the client
   */
  record Step(Cell next, Outcome outcome) {}

  static Step apply(Cell current, Command command, long wallMillis, long requestId) {
    return apply(current, 0, command, wallMillis, requestId);
  }

  /**
   * Applies {@code command}; {@code versionFloor} is the highest version of a purged key the
   * replicas reported, so that a purged key's new versions stay above its old ones.
   */
  static Step apply(Cell current, long versionFloor, Command command, long wallMillis, long requestId) {
    Cell live = current != null && current.liveAt(wallMillis) ? current : null;
    long base = Math.max(current == null ? 0 : current.version(), versionFloor);
    long liveVersion = live == null ? 0 : live.version();
    switch (command.kind()) {
      case GET:
        return new Step(null, new Outcome(live != null, liveVersion, live == null ? null : live.value()));
      case PUT:
        return write(base, command, wallMillis, requestId);
      case DELETE:
        if (live == null) {
          return new Step(null, new Outcome(false, 0, null));
        }
        return new Step(new Cell(null, base + 1, 0, requestId), new Outcome(true, 0, null));
      case COMPARE_AND_SET:
        if (command.expectedVersion() != liveVersion) {
          return new Step(null, new Outcome(false, liveVersion, null));
        }
        return write(base, command, wallMillis, requestId);
      case PUT_IF_ABSENT:
        if (live != null) {
          return new Step(null, new Outcome(false, liveVersion, null));
        }
        return write(base, command, wallMillis, requestId);
      case PURGE:
        if (current == null || live != null) {
          return new Step(null, new Outcome(false, 0, null)); // nothing to purge
        }
        // A tombstone is written back as it is; an expired value becomes a tombstone.
        Cell tombstone =
            current.value() == null ? current : new Cell(null, base + 1, 0, requestId);
        return new Step(tombstone, new Outcome(true, 0, null));
      default:
        throw new AssertionError(command.kind());
    }
  }

  private static Step write(long base, Command command, long wallMillis, long requestId) {
    long version = base + 1;
    long expires = 0;
    if (command.ttlNanos() > 0) {
      long ttlMillis = Math.max(1, (command.ttlNanos() + 999_999) / 1_000_000);
      expires = wallMillis + ttlMillis;
    }
    return new Step(
        new Cell(command.value(), version, expires, requestId), new Outcome(true, version, null));
  }
}
