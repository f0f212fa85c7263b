package io.kvstore.internal.membership;

import io.kvstore.MemberStatus;
import io.kvstore.spi.message.MemberUpdate;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The merge rule of SWIM member states about one identity, as a join over a total order: higher
 * incarnation wins; at equal incarnation {@code alive < suspect < dead < left} (a member's own
 * {@code left} is the last word about it); remaining ties are broken by address and metadata so the
 * merge is a true semilattice join: commutative, associative and idempotent, whatever order gossip
 * arrives in.
 */
final class MemberStates {
  private MemberStates() {}

  static int rank(MemberStatus s) {
    switch (s) {
      case ALIVE:
        return 0;
      case SUSPECT:
        return 1;
      case DEAD:
        return 2;
      case LEFT:
        return 3;
      default:
        throw new IllegalArgumentException(String.valueOf(s));
    }
  }

  private static String canonical(Map<String, String> metadata) {
    return new TreeMap<>(metadata).toString();
  }

  /** The order whose maximum is the merged state (hand-written: it runs for every update). */
  static final Comparator<MemberUpdate> ORDER = MemberStates::compare;

  private static int compare(MemberUpdate a, MemberUpdate b) {
    int c = Long.compare(a.incarnation(), b.incarnation());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(rank(a.status()), rank(b.status()));
    if (c != 0) {
      return c;
    }
    c = a.address().host().compareTo(b.address().host());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.address().port(), b.address().port());
    if (c != 0 || a.metadata().equals(b.metadata())) {
      return c;
    }
    return canonical(a.metadata()).compareTo(canonical(b.metadata()));
  }

  /**
   * Merges two states of the same identity.
   *
   * @throws IllegalArgumentException if the identities differ
   */
  static MemberUpdate merge(MemberUpdate a, MemberUpdate b) {
    if (!a.id().equals(b.id())) {
      throw new IllegalArgumentException("cannot merge " + a.id() + " with " + b.id());
    }
    return ORDER.compare(a, b) >= 0 ? a : b;
  }

  /** Whether {@code incoming} would change {@code current}. */
  static boolean supersedes(MemberUpdate incoming, MemberUpdate current) {
    return ORDER.compare(incoming, current) > 0;
  }
}
