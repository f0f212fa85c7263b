package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;
import java.util.List;

/**
 * Catch-up: one chunk of an old replica's acceptor state for a partition, answering a {@link
 * SnapshotRequest}.
 *
 * @param source the old replica
 * @param target the new replica
 * @param epoch the epoch of the request
 * @param partition the partition
 * @param offset the position of the first entry in the snapshot (the request's offset)
 * @param nextOffset where the next chunk starts
 * @param status whether the snapshot could be served
 * @param entries accepted state, one entry per key
 * @param floors the sender's non-zero floors (purged keys), sent with the first chunk only
 * @param last whether this chunk ends the snapshot
 */
public record SnapshotChunk(
    NodeId source,
    NodeId target,
    long epoch,
    int partition,
    int offset,
    int nextOffset,
    Status status,
    List<Entry> entries,
    List<Floor> floors,
    boolean last)
    implements Message {
  /** Copies the lists. */
  public SnapshotChunk {
    entries = List.copyOf(entries);
    floors = List.copyOf(floors);
  }

  /** Whether the old replica could serve the request. */
  public enum Status {
    /** The chunk carries state. */
    OK,
    /** The old replica has not installed the request's epoch yet: ask again after telling it. */
    BEHIND,
    /** The old replica already runs a newer configuration: the request is obsolete. */
    STALE
  }

  /**
   * One key's accepted state.
   *
   * @param key the key
   * @param accepted the ballot under which {@code cell} was accepted
   * @param cell the accepted value (a tombstone has a null value)
   */
  public record Entry(String key, Ballot accepted, Cell cell) {}

  /**
   * The floors of one bucket of purged keys.
   *
   * @param bucket the bucket index
   * @param ballot the ballot floor: a purged key behaves as if it had promised this ballot
   * @param version the version floor: new values of a purged key get versions above it
   */
  public record Floor(int bucket, Ballot ballot, long version) {}
}
