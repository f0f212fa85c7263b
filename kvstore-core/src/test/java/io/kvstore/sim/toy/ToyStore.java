package io.kvstore.sim.toy;

import io.kvstore.sim.toy.ToyMessages.Reply;
import io.kvstore.sim.toy.ToyMessages.Request;
import java.util.HashMap;
import java.util.Map;

/**
 * One replica's keys: value and version per key, versions strictly increasing per key across
 * deletes (the version of a deleted key is kept). Thread-unsafe.
 */
final class ToyStore {
  private final Map<String, String> values = new HashMap<>(); // lookups only
  private final Map<String, Long> versions = new HashMap<>(); // lookups only

  /** Applies a request and returns the reply. */
  Reply apply(Request r) {
    String current = values.get(r.key());
    long version = versions.getOrDefault(r.key(), 0L);
    long visible = current == null ? 0 : version;
    switch (r.op()) {
      case GET:
        return new Reply(r.requestId(), current != null, current, visible);
      case PUT:
        return write(r, version);
      case DELETE:
        if (current == null) {
          return new Reply(r.requestId(), false, null, 0);
        }
        values.remove(r.key());
        return new Reply(r.requestId(), true, null, 0);
      case CAS:
        if (r.expectedVersion() != visible) {
          return new Reply(r.requestId(), false, null, visible);
        }
        return write(r, version);
      case PUT_IF_ABSENT:
        if (current != null) {
          return new Reply(r.requestId(), false, null, visible);
        }
        return write(r, version);
      default:
        throw new AssertionError(r.op());
    }
  }

  private Reply write(Request r, long version) {
    long next = version + 1;
    values.put(r.key(), r.value());
    versions.put(r.key(), next);
    return new Reply(r.requestId(), true, null, next);
  }

  /** Last-writer-wins merge of a replicated write: applies it if its version is newer. */
  void merge(String key, String value, long version) {
    if (version > versions.getOrDefault(key, 0L)) {
      versions.put(key, version);
      if (value == null) {
        values.remove(key);
      } else {
        values.put(key, value);
      }
    }
  }

  /** The value and version after {@link #apply}, for replication. */
  String value(String key) {
    return values.get(key);
  }

  long version(String key) {
    return versions.getOrDefault(key, 0L);
  }
}
