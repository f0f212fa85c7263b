package io.kvstore.internal.membership;

import io.kvstore.NodeId;
import io.kvstore.spi.message.MemberUpdate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transmit-limited broadcast queue (SWIM §4.4 "infection-style dissemination", memberlist
 * queue.go). Each update is piggybacked at most {@code retransmitMult · ceil(log10(n + 1))} times;
 * the least-transmitted and then newest updates go first; a newer update about a member replaces
 * the older one; {@link #take} never returns more than the byte budget. Thread-unsafe.
 */
final class GossipQueue {
  private static final class Entry {
    final MemberUpdate update;
    final long order;
    int transmits;

    Entry(MemberUpdate update, long order) {
      this.update = update;
      this.order = order;
    }
  }

  /** Least transmitted first, then newest first. */
  private static final Comparator<Entry> PRIORITY = (a, b) -> a.transmits != b.transmits
      ? Integer.compare(a.transmits, b.transmits) : Long.compare(b.order, a.order);

  /** No update is estimated smaller than this: stop looking once less budget is left. */
  private static final int MIN_UPDATE_BYTES = 100;

  private final int retransmitMult;
  private final int maxEntries;
  private final int maxUpdateBytes;
  private final Map<NodeId, Entry> entries = new LinkedHashMap<>();
  private long nextOrder;

  /**
   * Creates a queue.
   *
   * @param maxUpdateBytes updates estimated larger than this never fit a datagram; they are not
   *     queued (push-pull carries them) so they cannot clog the queue
   */
  GossipQueue(int retransmitMult, int maxEntries, int maxUpdateBytes) {
    this.retransmitMult = retransmitMult;
    this.maxEntries = maxEntries;
    this.maxUpdateBytes = maxUpdateBytes;
  }

  /** Transmit limit for a cluster of {@code n} members. */
  static int transmitLimit(int retransmitMult, int n) {
    return retransmitMult * (int) Math.ceil(Math.log10(n + 1.0));
  }

  /** Queues {@code update}, replacing any queued update about the same member. */
  void enqueue(MemberUpdate update) {
    entries.remove(update.id());
    if (WireSize.update(update) > maxUpdateBytes) {
      return;
    }
    entries.put(update.id(), new Entry(update, nextOrder++));
    if (entries.size() > maxEntries) {
      pruneOldest();
    }
  }

  private void pruneOldest() {
    List<Entry> all = sorted();
    Entry worst = all.get(all.size() - 1);
    entries.remove(worst.update.id());
  }

  private List<Entry> sorted() {
    List<Entry> all = new ArrayList<>(entries.values());
    all.sort(PRIORITY);
    return all;
  }

  /**
   * Takes updates whose estimated sizes sum to at most {@code budgetBytes}, counts one transmission
   * for each, and drops those that reached the limit for {@code n} members. {@code first}, if not
   * null, is put first when it fits (Lifeguard: tell a suspect it is suspected).
   */
  List<MemberUpdate> take(int budgetBytes, int n, MemberUpdate first) {
    List<MemberUpdate> out = new ArrayList<>();
    int used = 0;
    if (first != null) {
      int size = WireSize.update(first);
      if (size <= budgetBytes) {
        out.add(first);
        used += size;
      }
    }
    int limit = transmitLimit(retransmitMult, n);
    List<Entry> done = new ArrayList<>();
    for (Entry e : sorted()) {
      if (first != null && e.update.equals(first)) {
        e.transmits++;
      } else {
        if (budgetBytes - used < MIN_UPDATE_BYTES) {
          break;
        }
        int size = WireSize.update(e.update);
        if (used + size > budgetBytes) {
          continue; // a smaller one further down may still fit
        }
        used += size;
        out.add(e.update);
        e.transmits++;
      }
      if (e.transmits >= limit) {
        done.add(e);
      }
    }
    for (Entry e : done) {
      entries.remove(e.update.id());
    }
    return out;
  }

  int size() {
    return entries.size();
  }

  /** Highest transmit count of any queued entry (for tests). */
  int maxTransmits() {
    int max = 0;
    for (Entry e : entries.values()) {
      max = Math.max(max, e.transmits);
    }
    return max;
  }

  /** Removes every queued update. */
  void clear() {
    entries.clear();
  }
}
