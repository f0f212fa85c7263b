package io.kvstore.internal.membership;

import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.spi.message.MemberUpdate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * This node's view of the cluster: the latest state of each identity, merged with {@link
 * MemberStates#merge}, plus the identity rules of an in-memory store: a new process at a dead or
 * departed member's name or address (a new boot id) replaces it, and reaped members leave a bounded
 * tombstone so stale gossip cannot resurrect them. Iteration is in {@link NodeId} order.
 * Thread-unsafe.
 */
final class MemberTable {
  /** What applying an update did, and the event it raises. */
  enum Change {
    NONE(null),
    JOINED(MembershipEvent.Type.JOINED),
    SUSPECTED(MembershipEvent.Type.SUSPECTED),
    ALIVE(MembershipEvent.Type.ALIVE),
    FAILED(MembershipEvent.Type.FAILED),
    LEFT(MembershipEvent.Type.LEFT),
    UPDATED(MembershipEvent.Type.UPDATED);

    final MembershipEvent.Type eventType;

    Change(MembershipEvent.Type eventType) {
      this.eventType = eventType;
    }
  }

  /** The outcome of {@link #apply}. */
  record Applied(Change change, MemberUpdate before, MemberUpdate after,
      List<MemberUpdate> replaced) {}

  private static final int MAX_TOMBSTONES = 4096;

  private final TreeMap<NodeId, MemberUpdate> members = new TreeMap<>();
  private final Map<NodeId, Long> changedAtNanos = new LinkedHashMap<>();
  private final LinkedHashMap<NodeId, Long> tombstones = new LinkedHashMap<>();
  /** Cached {@link #liveCount()}, -1 when stale: it sizes every datagram's gossip. */
  private int liveCount = -1;

  MemberUpdate get(NodeId id) {
    return members.get(id);
  }

  int size() {
    return members.size();
  }

  /** Members not dead or left, self included. */
  int liveCount() {
    if (liveCount < 0) {
      int n = 0;
      for (MemberUpdate u : members.values()) {
        if (isLive(u.status())) {
          n++;
        }
      }
      liveCount = n;
    }
    return liveCount;
  }

  static boolean isLive(MemberStatus s) {
    return s == MemberStatus.ALIVE || s == MemberStatus.SUSPECT;
  }

  /** All states in identity order. */
  List<MemberUpdate> all() {
    return new ArrayList<>(members.values());
  }

  long changedAt(NodeId id) {
    Long t = changedAtNanos.get(id);
    return t == null ? 0 : t;
  }

  /**
   * The incarnation at which {@code id} was declared dead (in the table or as a tombstone), or -1
   * if it is not known dead. Members that left are not reported: they do not come back.
   */
  long deathIncarnation(NodeId id) {
    MemberUpdate u = members.get(id);
    if (u != null) {
      return u.status() == MemberStatus.DEAD ? u.incarnation() : -1;
    }
    Long t = tombstones.get(id);
    return t == null ? -1 : t;
  }

  /** Sets a state unconditionally (this node's own entry). */
  void put(MemberUpdate u, long nowNanos) {
    members.put(u.id(), u);
    liveCount = -1;
    changedAtNanos.put(u.id(), nowNanos);
  }

  /**
   * Merges {@code u} into the table. Unknown identities are added only when alive (as memberlist
   * does: a suspicion or death of a member never seen is not news worth keeping), and only if no
   * tombstone says they already died at that incarnation or later.
   */
  Applied apply(MemberUpdate u, long nowNanos) {
    MemberUpdate cur = members.get(u.id());
    if (cur == null) {
      Long dead = tombstones.get(u.id());
      if (u.status() != MemberStatus.ALIVE || (dead != null && dead >= u.incarnation())) {
        return new Applied(Change.NONE, null, null, List.of());
      }
      tombstones.remove(u.id());
      List<MemberUpdate> replaced = removeSupersededBy(u);
      put(u, nowNanos);
      return new Applied(Change.JOINED, null, u, replaced);
    }
    if (!MemberStates.supersedes(u, cur)) {
      return new Applied(Change.NONE, cur, cur, List.of());
    }
    members.put(u.id(), u);
    liveCount = -1;
    if (u.status() != cur.status()) {
      changedAtNanos.put(u.id(), nowNanos);
    }
    List<MemberUpdate> replaced = List.of();
    Change change;
    switch (u.status()) {
      case ALIVE:
        change = cur.status() == MemberStatus.ALIVE
            ? (cur.metadata().equals(u.metadata()) && cur.address().equals(u.address())
                ? Change.NONE : Change.UPDATED)
            : cur.status() == MemberStatus.SUSPECT ? Change.ALIVE : Change.JOINED;
        if (change == Change.JOINED) {
          replaced = removeSupersededBy(u);
        }
        break;
      case SUSPECT:
        change = cur.status() == MemberStatus.SUSPECT ? Change.NONE : Change.SUSPECTED;
        break;
      case DEAD:
        change = cur.status() == MemberStatus.DEAD || cur.status() == MemberStatus.LEFT
            ? Change.NONE : Change.FAILED;
        break;
      case LEFT:
        change = cur.status() == MemberStatus.LEFT ? Change.NONE : Change.LEFT;
        break;
      default:
        throw new IllegalStateException(String.valueOf(u.status()));
    }
    return new Applied(change, cur, u, replaced);
  }

  /** Removes dead or departed identities with the same name or address as {@code u}. */
  private List<MemberUpdate> removeSupersededBy(MemberUpdate u) {
    List<MemberUpdate> out = new ArrayList<>();
    for (MemberUpdate old : members.values()) {
      if (!old.id().equals(u.id())
          && !isLive(old.status())
          && (old.id().name().equals(u.id().name()) || old.address().equals(u.address()))) {
        out.add(old);
      }
    }
    for (MemberUpdate old : out) {
      remove(old);
    }
    return out;
  }

  /** Whether a live identity other than {@code u}'s has its name or address. */
  boolean hasLiveSuccessor(MemberUpdate u) {
    for (MemberUpdate other : members.values()) {
      if (!other.id().equals(u.id())
          && isLive(other.status())
          && (other.id().name().equals(u.id().name()) || other.address().equals(u.address()))) {
        return true;
      }
    }
    return false;
  }

  /** Removes {@code u}'s identity, leaving a tombstone. */
  void remove(MemberUpdate u) {
    members.remove(u.id());
    liveCount = -1;
    changedAtNanos.remove(u.id());
    tombstones.put(u.id(), u.incarnation());
    if (tombstones.size() > MAX_TOMBSTONES) {
      Iterator<NodeId> it = tombstones.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  /** Removes members dead or left for at least {@code afterNanos}; returns them. */
  List<MemberUpdate> reap(long nowNanos, long afterNanos, NodeId self) {
    List<MemberUpdate> out = new ArrayList<>();
    for (MemberUpdate u : members.values()) {
      if (!u.id().equals(self) && !isLive(u.status())
          && nowNanos - changedAt(u.id()) >= afterNanos) {
        out.add(u);
      }
    }
    for (MemberUpdate u : out) {
      remove(u);
    }
    return out;
  }

  static Member toMember(MemberUpdate u) {
    return new Member(u.id(), u.address().toString(), u.status(), u.incarnation(), u.metadata());
  }

  /** A snapshot of every member, in identity order. */
  List<Member> snapshot() {
    List<Member> out = new ArrayList<>(members.size());
    for (MemberUpdate u : members.values()) {
      out.add(toMember(u));
    }
    return out;
  }
}
