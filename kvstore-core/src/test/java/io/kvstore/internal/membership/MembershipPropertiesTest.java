package io.kvstore.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.message.MemberUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Properties of the merge rule and the gossip queue, checked with QuickTheories. */
class MembershipPropertiesTest {
  private static final NodeId ID = new NodeId("node-1", 1);

  /** A state of one identity, decoded from an int: incarnation, status, address, metadata. */
  private static MemberUpdate decode(int bits) {
    long incarnation = bits & 3;
    MemberStatus status = MemberStatus.values()[(bits >> 2) & 3];
    Endpoint address = new Endpoint("10.0.0." + (1 + ((bits >> 4) & 1)), 7946);
    Map<String, String> metadata = ((bits >> 5) & 1) == 0 ? Map.of() : Map.of("http", "h" + bits);
    return new MemberUpdate(ID, address, status, incarnation, metadata);
  }

  private static Gen<MemberUpdate> states() {
    return integers().between(0, 127).map(MembershipPropertiesTest::decode);
  }

  @Test
  void mergeIsCommutative() {
    qt().forAll(states(), states())
        .check((a, b) -> MemberStates.merge(a, b).equals(MemberStates.merge(b, a)));
  }

  @Test
  void mergeIsAssociative() {
    qt().forAll(states(), states(), states())
        .check((a, b, c) -> MemberStates.merge(MemberStates.merge(a, b), c)
            .equals(MemberStates.merge(a, MemberStates.merge(b, c))));
  }

  @Test
  void mergeIsIdempotent() {
    qt().forAll(states(), states())
        .check((a, b) -> MemberStates.merge(a, a).equals(a)
            && MemberStates.merge(MemberStates.merge(a, b), b).equals(MemberStates.merge(a, b)));
  }

  @Test
  void mergeFollowsSwimPrecedence() {
    qt().forAll(states(), states())
        .check((a, b) -> {
          MemberUpdate m = MemberStates.merge(a, b);
          if (a.incarnation() != b.incarnation()) {
            return m.incarnation() == Math.max(a.incarnation(), b.incarnation());
          }
          return MemberStates.rank(m.status())
              == Math.max(MemberStates.rank(a.status()), MemberStates.rank(b.status()));
        });
  }

  @Test
  void tableEndsInTheSameStateWhateverTheDeliveryOrder() {
    qt().forAll(lists().of(states()).ofSizeBetween(1, 12), integers().between(0, 1000))
        .check((updates, seed) -> {
          List<MemberUpdate> shuffled = new ArrayList<>(updates);
          java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
          // seed both tables with the same alive state so unknown-identity rules do not apply
          MemberUpdate base = new MemberUpdate(ID, new Endpoint("10.0.0.1", 7946),
              MemberStatus.ALIVE, 0, Map.of());
          MemberTable t1 = new MemberTable();
          MemberTable t2 = new MemberTable();
          t1.put(base, 0);
          t2.put(base, 0);
          for (MemberUpdate u : updates) {
            t1.apply(u, 1);
          }
          for (MemberUpdate u : shuffled) {
            t2.apply(u, 1);
          }
          return t1.get(ID).equals(t2.get(ID));
        });
  }

  /** Updates about distinct members with metadata of varying size. */
  private static List<MemberUpdate> updates(List<Integer> sizes) {
    List<MemberUpdate> out = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      out.add(new MemberUpdate(new NodeId("n" + i, i), new Endpoint("10.0.0.1", 7000 + i),
          MemberStatus.ALIVE, i, Map.of("http", "x".repeat(sizes.get(i)))));
    }
    return out;
  }

  @Test
  void gossipQueueNeverExceedsTheByteBudget() {
    qt().forAll(lists().of(integers().between(0, 400)).ofSizeBetween(0, 60),
            integers().between(100, 1400), integers().between(1, 500))
        .check((sizes, budget, n) -> {
          GossipQueue q = new GossipQueue(4, 4096, Integer.MAX_VALUE);
          updates(sizes).forEach(q::enqueue);
          for (int round = 0; round < 50; round++) {
            List<MemberUpdate> taken = q.take(budget, n, null);
            if (WireSize.updates(taken) > budget) {
              return false;
            }
          }
          return true;
        });
  }

  @Test
  void gossipQueueTransmitsEachUpdateAtMostTheLimit() {
    qt().forAll(lists().of(integers().between(0, 100)).ofSizeBetween(1, 40),
            integers().between(200, 1400), integers().between(1, 1000))
        .check((sizes, budget, n) -> {
          GossipQueue q = new GossipQueue(4, 4096, Integer.MAX_VALUE);
          List<MemberUpdate> all = new ArrayList<>(updates(sizes));
          all.removeIf(u -> WireSize.update(u) > budget); // those travel by push-pull only
          all.forEach(q::enqueue);
          Map<MemberUpdate, Integer> sent = new HashMap<>();
          for (int round = 0; round < 500 && q.size() > 0; round++) {
            for (MemberUpdate u : q.take(budget, n, null)) {
              sent.merge(u, 1, Integer::sum);
            }
          }
          int limit = GossipQueue.transmitLimit(4, n);
          boolean bounded = sent.values().stream().allMatch(c -> c <= limit);
          boolean drained = q.size() == 0;
          // every update goes out exactly `limit` times
          boolean complete = all.stream()
              .allMatch(u -> sent.getOrDefault(u, 0) == limit);
          return bounded && drained && complete;
        });
  }

  @Test
  void newerUpdateAboutAMemberReplacesTheQueuedOne() {
    GossipQueue q = new GossipQueue(4, 4096, Integer.MAX_VALUE);
    MemberUpdate old = new MemberUpdate(ID, new Endpoint("a", 1), MemberStatus.ALIVE, 0, Map.of());
    MemberUpdate dead = new MemberUpdate(ID, new Endpoint("a", 1), MemberStatus.DEAD, 0, Map.of());
    q.enqueue(old);
    q.enqueue(dead);
    assertThat(q.take(1400, 5, null)).containsExactly(dead);
  }

  @Test
  void updatesTooLargeForAnyDatagramAreNotQueued() {
    GossipQueue q = new GossipQueue(4, 4096, 300);
    updates(List.of(10, 1000)).forEach(q::enqueue);
    assertThat(q.size()).isEqualTo(1);
  }

  @Test
  void gossipQueueIsBounded() {
    GossipQueue q = new GossipQueue(4, 16, Integer.MAX_VALUE);
    updates(new ArrayList<>(java.util.Collections.nCopies(100, 1))).forEach(q::enqueue);
    assertThat(q.size()).isEqualTo(16);
  }
}
