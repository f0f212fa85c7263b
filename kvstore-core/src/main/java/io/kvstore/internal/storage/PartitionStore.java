package io.kvstore.internal.storage;

import io.kvstore.internal.ops.ChangeFunction;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.KeyRecord;
import io.kvstore.internal.ops.Outcome;
import java.util.HashMap;
import java.util.PriorityQueue;

/**
 * The keys of one partition, in memory. <b>Thread-unsafe</b> by design: it is confined to one event
 * loop, which is what lets the hot path run without locks.
 *
 * <p>Keeps a version floor (see {@link ChangeFunction}) so that removing a key's record keeps its
 * future versions increasing, and an expiry queue so that expired values are dropped even when
 * nobody reads them.
 */
public final class PartitionStore {
  private final HashMap<String, KeyRecord> records = new HashMap<>();
  private final PriorityQueue<Expiry> expiries = new PriorityQueue<>();
  private long floorVersion;

  private record Expiry(long atNanos, String key, long version) implements Comparable<Expiry> {
    @Override
    public int compareTo(Expiry o) {
      return Long.compare(atNanos - o.atNanos, 0);
    }
  }

  /** Applies a command at {@code nowNanos} and returns its outcome. */
  public Outcome execute(String key, Command command, long nowNanos) {
    KeyRecord stored = records.get(key);
    KeyRecord live = stored;
    if (stored != null && stored.expiredAt(nowNanos)) {
      remove(key, stored);
      live = null;
    }
    ChangeFunction.Step step = ChangeFunction.apply(live, floorVersion, command, nowNanos);
    if (step.changed()) {
      KeyRecord next = step.next();
      if (next == null) {
        remove(key, live);
      } else {
        records.put(key, next);
        if (next.expiresAtNanos() != 0) {
          expiries.add(new Expiry(next.expiresAtNanos(), key, next.version()));
        }
      }
    }
    return step.outcome();
  }

  /**
   * Drops values that expired at or before {@code nowNanos}; returns how many. Called periodically
   * by the owning loop.
   */
  public int expire(long nowNanos) {
    int dropped = 0;
    Expiry head;
    while ((head = expiries.peek()) != null && nowNanos - head.atNanos >= 0) {
      expiries.poll();
      KeyRecord r = records.get(head.key);
      // The queue entry may be stale: the key was rewritten since.
      if (r != null && r.version() == head.version && r.expiredAt(nowNanos)) {
        remove(head.key, r);
        dropped++;
      }
    }
    return dropped;
  }

  private void remove(String key, KeyRecord record) {
    records.remove(key);
    floorVersion = Math.max(floorVersion, record.version());
  }

  /** The number of stored records (expired ones not yet dropped included). */
  public int size() {
    return records.size();
  }

  /** The version floor. */
  public long floorVersion() {
    return floorVersion;
  }
}
