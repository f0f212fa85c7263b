package io.kvstore.internal.replication;

import io.kvstore.NodeId;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.Accepted;
import io.kvstore.spi.message.Ballot;
import io.kvstore.spi.message.Cell;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Promise;
import io.kvstore.spi.message.Purge;
import io.kvstore.internal.partition.KeyHash;
import io.kvstore.spi.message.Read;
import io.kvstore.spi.message.ReadReply;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The CASPaxos acceptor role of one node: per key, the promised ballot, the accepted ballot and
 * the accepted value. <b>Thread-unsafe</b>: confined to the node's loop.
 *
 * <p>Rules (CASPaxos §2): a prepare is promised if its ballot is at least the promised one and
 * above the accepted one; an accept is taken if its ballot is at least the promised one. Promises
 * never decrease, accepted ballots never decrease. Messages addressed to another boot of this node
 * are ignored (amnesia: a restarted process must never answer for its predecessor).
 */
public final class Acceptor {
  /**
   * Floors are kept per bucket of keys (by key hash), not per key, so that purged keys leave
   * nothing behind but a fixed-size table. A bucket's floor is at least every promise and accepted
   * ballot, and every version, of every key purged from it: a purged key behaves as if it had
   * been promised the floor ballot, and new values of it get versions above the floor version.
   */
  static final int FLOOR_BUCKETS = 1024;

  private final NodeId self;
  private final Map<String, Slot> slots = new HashMap<>();
  /** Keys whose accepted value is a tombstone or carries an expiry: the only purge candidates. */
  private final java.util.LinkedHashSet<String> mortal = new java.util.LinkedHashSet<>();
  private final Ballot[] ballotFloors = new Ballot[FLOOR_BUCKETS];
  private final long[] versionFloors = new long[FLOOR_BUCKETS];
  private long purged;

  /** One key's acceptor state. */
  static final class Slot {
    Ballot promised = Ballot.ZERO;
    Ballot accepted = Ballot.ZERO;
    Cell cell;
    /** Whether {@link #cell} is mortal: kept here so a write need not load the cell it replaces. */
    boolean mortal;
  }

  /** Creates the acceptor of node {@code self}. */
  public Acceptor(NodeId self) {
    this.self = Objects.requireNonNull(self, "self");
  }

  private static int bucket(String key) {
    return (int) Long.remainderUnsigned(KeyHash.hash64(key), FLOOR_BUCKETS);
  }

  private Slot slot(String key) {
    Slot s = slots.get(key);
    if (s == null) {
      s = new Slot();
      Ballot floor = ballotFloors[bucket(key)];
      if (floor != null) {
        s.promised = floor; // a purged key remembers its promises through the floor
      }
      slots.put(key, s);
    }
    return s;
  }

  /** Phase 1: answers a prepare, or returns null if it is not addressed to this boot. */
  public Promise onPrepare(Prepare m) {
    if (!self.equals(m.target())) {
      return null;
    }
    Slot s = slot(m.key());
    boolean ok = m.ballot().compareTo(s.promised) >= 0 && m.ballot().greaterThan(s.accepted);
    if (ok) {
      s.promised = m.ballot();
    }
    return new Promise(
        m.roundId(), self, m.key(), ok, s.promised, s.accepted, s.cell, versionFloors[bucket(m.key())]);
  }

  /** Phase 2: answers an accept, or returns null if it is not addressed to this boot. */
  public Accepted onAccept(Accept m) {
    if (!self.equals(m.target())) {
      return null;
    }
    Slot s = slot(m.key());
    boolean ok = m.ballot().compareTo(s.promised) >= 0 && m.ballot().compareTo(s.accepted) >= 0;
    if (ok) {
      s.accepted = m.ballot();
      setCell(m.key(), s, m.cell());
      s.promised = m.ballot();
      // One-round-trip writes: promise the proposer's next ballot at once (CASPaxos §2.2.1).
      if (m.nextPromise() != null && m.nextPromise().greaterThan(m.ballot())) {
        s.promised = m.nextPromise();
      }
    }
    return new Accepted(m.roundId(), self, m.key(), ok, s.promised);
  }

  /** Fast read: reports the accepted ballot and value without promising anything. */
  public ReadReply onRead(Read m) {
    if (!self.equals(m.target())) {
      return null;
    }
    Slot s = slots.get(m.key());
    return s == null
        ? new ReadReply(m.roundId(), self, m.key(), Ballot.ZERO, null)
        : new ReadReply(m.roundId(), self, m.key(), s.accepted, s.cell);
  }

  /**
   * Drops a key whose tombstone (or expired value) every replica accepted under {@code
   * m.ballot()}, raising its bucket's floors first. Ignored unless this replica's accepted ballot
   * is still exactly that one and its value is not live: a newer write since keeps the key.
   */
  public void onPurge(Purge m, long wallMillis) {
    if (!self.equals(m.target())) {
      return;
    }
    Slot s = slots.get(m.key());
    if (s == null || s.cell == null || !s.accepted.equals(m.ballot()) || s.cell.liveAt(wallMillis)) {
      return;
    }
    int b = bucket(m.key());
    Ballot floor = ballotFloors[b] == null ? Ballot.ZERO : ballotFloors[b];
    if (s.promised.greaterThan(floor)) {
      floor = s.promised;
    }
    ballotFloors[b] = floor;
    versionFloors[b] = Math.max(versionFloors[b], s.cell.version());
    slots.remove(m.key());
    mortal.remove(m.key());
    purged++;
  }

  /**
   * Keys whose accepted value is a tombstone or has expired at {@code wallMillis}: candidates for
   * purging. At most {@code max}.
   */
  public java.util.List<String> purgeCandidates(long wallMillis, int max) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String key : mortal) {
      Slot s = slots.get(key);
      if (s != null && s.cell != null && !s.cell.liveAt(wallMillis)) {
        out.add(key);
        if (out.size() >= max) {
          break;
        }
      }
    }
    return out;
  }

  // ---- catch-up ---------------------------------------------------------------------------

  /** The accepted state of {@code key}, or null if nothing was accepted for it here. */
  public io.kvstore.spi.message.SnapshotChunk.Entry entry(String key) {
    Slot s = slots.get(key);
    return s == null || s.cell == null
        ? null
        : new io.kvstore.spi.message.SnapshotChunk.Entry(key, s.accepted, s.cell);
  }

  /** Every key this acceptor holds state for (a live view: do not modify). */
  public java.util.Set<String> keys() {
    return slots.keySet();
  }

  /**
   * Installs an accepted value streamed from an old replica during a configuration change, under
   * the accept rule: taken only if its ballot is above this replica's accepted ballot and not
   * below its promise. Returns false if the promise refused it (the caller then makes a quorum hold
   * the value by other means); true if it was taken or this replica already holds that value or a
   * newer one.
   */
  public boolean install(io.kvstore.spi.message.SnapshotChunk.Entry e) {
    Slot s = slot(e.key());
    if (!e.accepted().greaterThan(s.accepted)) {
      return true;
    }
    if (e.accepted().compareTo(s.promised) < 0) {
      return false;
    }
    s.accepted = e.accepted();
    s.promised = e.accepted();
    setCell(e.key(), s, e.cell());
    return true;
  }

  /** Sets the accepted value of {@code key}, keeping the purge candidates in step. */
  private void setCell(String key, Slot s, Cell c) {
    s.cell = c;
    boolean now = mortal(c);
    if (now) {
      mortal.add(key);
    } else if (s.mortal) {
      mortal.remove(key); // only a key that was mortal can be in the set
    }
    s.mortal = now;
  }

  /** Whether {@code c} may be purged some day: a tombstone or a value with an expiry. */
  private static boolean mortal(Cell c) {
    return c.value() == null || c.expiresAtMillis() != 0;
  }

  /** This acceptor's non-zero floors, to send with a snapshot. */
  public java.util.List<io.kvstore.spi.message.SnapshotChunk.Floor> floors() {
    java.util.List<io.kvstore.spi.message.SnapshotChunk.Floor> out = new java.util.ArrayList<>();
    for (int b = 0; b < FLOOR_BUCKETS; b++) {
      if (ballotFloors[b] != null || versionFloors[b] != 0) {
        out.add(new io.kvstore.spi.message.SnapshotChunk.Floor(
            b, ballotFloors[b] == null ? Ballot.ZERO : ballotFloors[b], versionFloors[b]));
      }
    }
    return out;
  }

  /**
   * Raises this acceptor's floors to an old replica's. Raising a floor only adds refusals and
   * higher versions for purged keys, so it is always safe; keys held here keep their state, with
   * promises raised to the floor.
   */
  public void mergeFloors(java.util.List<io.kvstore.spi.message.SnapshotChunk.Floor> floors) {
    for (io.kvstore.spi.message.SnapshotChunk.Floor f : floors) {
      if (f.bucket() < 0 || f.bucket() >= FLOOR_BUCKETS) {
        continue;
      }
      Ballot current = ballotFloors[f.bucket()] == null ? Ballot.ZERO : ballotFloors[f.bucket()];
      if (f.ballot().greaterThan(current)) {
        ballotFloors[f.bucket()] = f.ballot();
      }
      versionFloors[f.bucket()] = Math.max(versionFloors[f.bucket()], f.version());
    }
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      Ballot floor = ballotFloors[bucket(e.getKey())];
      if (floor != null && floor.greaterThan(e.getValue().promised)) {
        e.getValue().promised = floor;
      }
    }
  }

  /**
   * Drops every key for which {@code leaving} holds: this node is no longer one of its replicas.
   * Floors stay. Returns how many keys were dropped.
   */
  public int drop(java.util.function.Predicate<String> leaving) {
    int n = 0;
    for (var it = slots.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Slot> e = it.next();
      if (leaving.test(e.getKey())) {
        it.remove();
        mortal.remove(e.getKey());
        n++;
      }
    }
    return n;
  }

  /** How many keys this acceptor has purged. */
  public long purged() {
    return purged;
  }

  /** The number of keys this acceptor holds state for. */
  public int size() {
    return slots.size();
  }

  /** Checks the invariants of every slot; for tests and the simulator. */
  public void checkInvariants() {
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      Slot s = e.getValue();
      if (s.accepted.greaterThan(s.promised)) {
        throw new IllegalStateException("accepted above promised for " + e.getKey());
      }
      Ballot floor = ballotFloors[bucket(e.getKey())];
      if (floor != null && floor.greaterThan(s.promised)) {
        throw new IllegalStateException("promise below the floor for " + e.getKey());
      }
      if ((s.cell == null) != (s.accepted.equals(Ballot.ZERO))) {
        throw new IllegalStateException("cell and accepted ballot disagree for " + e.getKey());
      }
      if (s.mortal != (s.cell != null && mortal(s.cell))) {
        throw new IllegalStateException("mortal flag disagrees with the cell of " + e.getKey());
      }
      if (s.mortal != mortal.contains(e.getKey())) {
        throw new IllegalStateException("purge candidates disagree with the cell of " + e.getKey());
      }
    }
    for (String k : mortal) {
      if (!slots.containsKey(k)) {
        throw new IllegalStateException("purge candidate without a slot: " + k);
      }
    }
  }
}
