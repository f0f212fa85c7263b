package io.kvstore;

import io.kvstore.internal.partition.Partitioner;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The store's semantics written as plainly as possible, for model-based tests: a map of key to
 * (value, version) and one version floor per partition (a removed key raises its partition's floor;
 * a write gets {@code max(key version, floor) + 1}). No TTLs. Not thread-safe.
 */
final class ReferenceStore {
  private record Entry(String value, long version) {}

  private final Map<String, Entry> entries = new HashMap<>();
  private final long[] floors;
  private final Partitioner partitioner;

  ReferenceStore(int partitions) {
    this.floors = new long[partitions];
    this.partitioner = new Partitioner(partitions);
  }

  private long nextVersion(String key) {
    Entry e = entries.get(key);
    return Math.max(e == null ? 0 : e.version, floors[partitioner.partitionOf(key)]) + 1;
  }

  /** "value@version" or "absent". */
  String get(String key) {
    Entry e = entries.get(key);
    return e == null ? "absent" : e.value + "@" + e.version;
  }

  long put(String key, String value) {
    long v = nextVersion(key);
    entries.put(key, new Entry(value, v));
    return v;
  }

  boolean delete(String key) {
    Entry e = entries.remove(key);
    if (e == null) {
      return false;
    }
    int p = partitioner.partitionOf(key);
    floors[p] = Math.max(floors[p], e.version);
    return true;
  }

  boolean compareAndSet(String key, long expected, String value) {
    Entry e = entries.get(key);
    long current = e == null ? 0 : e.version;
    if (current != expected) {
      return false;
    }
    put(key, value);
    return true;
  }

  boolean putIfAbsent(String key, String value) {
    if (entries.containsKey(key)) {
      return false;
    }
    put(key, value);
    return true;
  }

  long versionOf(String key) {
    Entry e = entries.get(key);
    return e == null ? 0 : e.version;
  }

  static String show(java.util.Optional<Versioned<byte[]>> v) {
    return v.map(x -> new String(x.value(), StandardCharsets.UTF_8) + "@" + x.version())
        .orElse("absent");
  }
}
