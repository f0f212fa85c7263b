package io.kvstore.internal.replication;

import io.kvstore.NodeId;
import io.kvstore.spi.message.ClientReply;

/**
 * The answers of recently coordinated forwarded operations, kept so that a duplicate request is
 * answered without running its operation twice: at most {@code capacity} answers, none older than
 * the window; the oldest goes first. <b>Thread-unsafe</b>: confined to the replica loop.
 *
 * <p>Answers live in primitive arrays used as a ring, found through an open-addressing index
 * (linear probing, deletion by backward shift). A busy coordinator answers tens of thousands of
 * operations a second and keeps each answer for seconds: as objects (a map entry, a boxed id, a
 * reply each) they survived young collections and were copied through the survivor spaces, which
 * made young pauses of a three-node run three times longer. Arrays allocated once cost nothing
 * per answer.
 */
final class AnsweredWindow {
  private static final ClientReply.Status[] STATUSES = ClientReply.Status.values();
  private static final int APPLIED = 0x80;

  private final int capacity;
  private final long windowNanos;
  private final long[] ids;
  private final long[] at;
  private final long[] versions;
  private final byte[] flags;
  private final byte[][] values;
  private final String[] reasons;
  /** The ring slot the next answer takes. */
  private int head;
  private int size;
  private final long[] keys;
  /** Ring slot + 1 of each index entry; 0 marks a free entry. */
  private final int[] slots;
  private final int mask;

  /**
   * Creates an empty window.
   *
   * @param capacity the most answers kept
   * @param windowNanos how long an answer is kept at most
   */
  AnsweredWindow(int capacity, long windowNanos) {
    if (capacity < 1 || capacity > (1 << 28) || windowNanos <= 0) {
      throw new IllegalArgumentException("capacity " + capacity + ", window " + windowNanos);
    }
    this.capacity = capacity;
    this.windowNanos = windowNanos;
    ids = new long[capacity];
    at = new long[capacity];
    versions = new long[capacity];
    flags = new byte[capacity];
    values = new byte[capacity][];
    reasons = new String[capacity];
    int tableSize = Integer.highestOneBit(capacity * 2 - 1) << 1;
    keys = new long[tableSize];
    slots = new int[tableSize];
    mask = tableSize - 1;
  }

  /** How many answers are kept. */
  int size() {
    return size;
  }

  /**
   * Keeps {@code reply}, the answer of operation {@code opId}, as of {@code nowNanos}. An operation
   * is answered once; should an id come again, its newer answer is the one found, and the older
   * one's place counts against the capacity until it ages out.
   */
  void put(long opId, ClientReply reply, long nowNanos) {
    int known = find(opId);
    if (known >= 0) {
      unindex(known); // its ring slot ages out as an orphan
    }
    if (size == capacity) {
      evictOldest();
    }
    int r = head;
    head = head + 1 == capacity ? 0 : head + 1;
    size++;
    ids[r] = opId;
    at[r] = nowNanos;
    versions[r] = reply.version();
    flags[r] = (byte) (reply.status().ordinal() | (reply.applied() ? APPLIED : 0));
    values[r] = reply.value();
    reasons[r] = reply.reason();
    int i = home(opId);
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    keys[i] = opId;
    slots[i] = r + 1;
  }

  /** The answer kept for {@code opId}, as sent by {@code source}, or null. */
  ClientReply get(long opId, NodeId source) {
    int i = find(opId);
    if (i < 0) {
      return null;
    }
    int r = slots[i] - 1;
    int f = flags[r] & 0xff;
    return new ClientReply(opId, source, STATUSES[f & ~APPLIED], (f & APPLIED) != 0, versions[r],
        values[r], reasons[r]);
  }

  /** Drops the answers older than the window. */
  void expire(long nowNanos) {
    while (size > 0 && nowNanos - at[oldest()] >= windowNanos) {
      evictOldest();
    }
  }

  private int oldest() {
    int o = head - size;
    return o < 0 ? o + capacity : o;
  }

  private void evictOldest() {
    int r = oldest();
    int i = find(ids[r]);
    if (i >= 0 && slots[i] == r + 1) {
      unindex(i);
    }
    values[r] = null;
    reasons[r] = null;
    size--;
  }

  private static int mix(long id) {
    long h = id * 0x9E37_79B9_7F4A_7C15L;
    return (int) (h ^ (h >>> 32));
  }

  private int home(long id) {
    return mix(id) & mask;
  }

  /** The index entry of {@code id}, or -1. */
  private int find(long id) {
    for (int i = home(id); slots[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == id) {
        return i;
      }
    }
    return -1;
  }

  /** Frees index entry {@code i}, shifting back the entries of its probe run that need it. */
  private void unindex(int i) {
    int free = i;
    for (int j = (i + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
      int k = home(keys[j]);
      boolean stays = free <= j ? (free < k && k <= j) : (free < k || k <= j);
      if (!stays) {
        keys[free] = keys[j];
        slots[free] = slots[j];
        free = j;
      }
    }
    slots[free] = 0;
  }
}
