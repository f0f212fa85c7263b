package io.kvstore.internal.membership;

import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A small deterministic multi-node harness: several {@link SwimCore}s, one virtual clock, a seeded
 * network with datagram loss, latency, crashes and partitions. Streams are reliable (TCP) unless
 * partitioned or the peer is down, or {@link #streamLoss} is set.
 */
final class SwimHarness {
  /** An event seen by one node at a virtual time. */
  record Seen(int node, long atNanos, MembershipEvent event) {}

  private record InFlight(long atNanos, long order, Endpoint from, Endpoint to, Message message) {}

  final MembershipConfig config;
  final SplittableRandom net;
  final List<SwimCore> nodes = new ArrayList<>();
  final List<Boolean> down = new ArrayList<>();
  final List<Seen> seen = new ArrayList<>();
  private final Map<Endpoint, Integer> byAddress = new LinkedHashMap<>();
  private final PriorityQueue<InFlight> inFlight =
      new PriorityQueue<>((a, b) -> a.atNanos != b.atNanos
          ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.order, b.order));
  private final long seed;
  private final int[] group = new int[1024];
  private final long[] pausedUntil = new long[1024];
  private long order;
  long now;
  private long nextTick;
  double datagramLoss;
  double streamLoss;
  long minLatencyNanos = 200_000;
  long maxLatencyNanos = 2_000_000;
  long delivered;
  long dropped;

  SwimHarness(MembershipConfig config, long seed) {
    this.config = config;
    this.seed = seed;
    this.net = new SplittableRandom(seed);
    this.now = 1_000_000_000L;
    this.nextTick = now;
  }

  static Endpoint address(int i) {
    return new Endpoint("10.0.0." + (i + 1), 7946);
  }

  /** Adds node {@code i}'s process (new boot id) at its address; returns its index. */
  int addNode(String name) {
    int i = nodes.size();
    SwimCore core = newCore(name, address(i), i);
    nodes.add(core);
    down.add(false);
    byAddress.put(address(i), i);
    return i;
  }

  private SwimCore newCore(String name, Endpoint address, int i) {
    long boot = new SplittableRandom(seed * 31 + i * 7919L + nodes.size()).nextLong();
    return new SwimCore(config, new NodeId(name, boot), address, Map.of("http", "http://" + name),
        new SplittableRandom(seed ^ boot), new MembershipMetrics());
  }

  /** Replaces node {@code i} by a new process (new boot id) at the same address and name. */
  void restart(int i, long boot) {
    SwimCore old = nodes.get(i);
    SwimCore fresh = new SwimCore(config, new NodeId(old.self().name(), boot), old.selfAddress(),
        Map.of("http", "http://" + old.self().name()), new SplittableRandom(seed ^ boot),
        new MembershipMetrics());
    nodes.set(i, fresh);
    down.set(i, false);
  }

  /**
   * Stops node {@code i}'s process (GC pause, SIGSTOP) for {@code nanos}: no ticks; messages to it
   * wait in its socket buffer and are read just after its first tick on resume, as on a real
   * event loop whose overdue timer fires before the backlog of reads is processed.
   */
  void pause(int i, long nanos) {
    pausedUntil[i] = now + nanos;
  }

  void crash(int i) {
    down.set(i, true);
  }

  void join(int i, List<Integer> seedIdx) {
    List<Endpoint> seeds = new ArrayList<>();
    for (int s : seedIdx) {
      seeds.add(address(s));
    }
    nodes.get(i).join(seeds, now);
    drain(i);
  }

  void leave(int i) {
    nodes.get(i).leave(now);
    drain(i);
  }

  /** Puts node {@code i} in partition group {@code g}; nodes talk only within their group. */
  void partition(int i, int g) {
    group[i] = g;
  }

  void heal() {
    java.util.Arrays.fill(group, 0);
  }

  void advance(long nanos) {
    long end = now + nanos;
    while (true) {
      InFlight next = inFlight.peek();
      long t = Math.min(nextTick, next == null ? Long.MAX_VALUE : next.atNanos);
      if (t > end) {
        break;
      }
      now = t;
      if (next != null && next.atNanos == t) {
        inFlight.poll();
        deliver(next);
      } else {
        for (int i = 0; i < nodes.size(); i++) {
          if (!down.get(i) && now >= pausedUntil[i]) {
            nodes.get(i).tick(now);
            drain(i);
          }
        }
        nextTick += config.tickIntervalNanos();
      }
    }
    now = end;
  }

  void advanceSeconds(double s) {
    advance((long) (s * 1e9));
  }

  private void deliver(InFlight f) {
    Integer to = byAddress.get(f.to());
    if (to == null || down.get(to)) {
      dropped++;
      return;
    }
    if (now < pausedUntil[to]) {
      long resume = pausedUntil[to] + config.tickIntervalNanos() / 2;
      inFlight.add(new InFlight(resume, order++, f.from(), f.to(), f.message()));
      return;
    }
    delivered++;
    nodes.get(to).step(f.from(), f.message(), now);
    drain(to);
  }

  private void drain(int i) {
    SwimCore core = nodes.get(i);
    for (Outbox.Send s : core.drainSends()) {
      Integer to = byAddress.get(s.to());
      double loss = s.channel() == Outbox.Channel.DATAGRAM ? datagramLoss : streamLoss;
      if (to == null || group[to] != group[i] || net.nextDouble() < loss) {
        dropped++;
        continue;
      }
      long spread = maxLatencyNanos - minLatencyNanos;
      long latency = minLatencyNanos + (long) (net.nextDouble() * spread);
      inFlight.add(new InFlight(now + latency, order++, core.selfAddress(), s.to(), s.message()));
    }
    for (MembershipEvent e : core.drainEvents()) {
      seen.add(new Seen(i, now, e));
    }
  }

  /** Status of {@code id} in node {@code i}'s view, or null if unknown. */
  MemberStatus statusIn(int i, NodeId id) {
    for (Member m : nodes.get(i).members()) {
      if (m.id().equals(id)) {
        return m.status();
      }
    }
    return null;
  }

  /** Whether every live node sees exactly the live nodes as alive, and nobody else as alive. */
  boolean converged() {
    Set<NodeId> expected = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (!down.get(i) && !nodes.get(i).hasLeft()) {
        expected.add(nodes.get(i).self());
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (down.get(i) || nodes.get(i).hasLeft()) {
        continue;
      }
      Set<NodeId> alive = new HashSet<>();
      for (Member m : nodes.get(i).members()) {
        if (m.status() == MemberStatus.ALIVE) {
          alive.add(m.id());
        }
      }
      if (!alive.equals(expected)) {
        return false;
      }
    }
    return true;
  }

  /** Advances in steps until {@link #converged()} or {@code maxNanos}; returns the time taken. */
  long advanceUntilConverged(long maxNanos) {
    long start = now;
    long step = config.tickIntervalNanos();
    while (!converged() && now - start < maxNanos) {
      advance(step);
    }
    return converged() ? now - start : -1;
  }

  /** First time at or after {@code since} that node {@code i} saw {@code type} about {@code id}. */
  long firstSeen(int i, NodeId id, MembershipEvent.Type type, long since) {
    for (Seen s : seen) {
      if (s.node == i && s.atNanos >= since && s.event.type() == type
          && s.event.member().id().equals(id)) {
        return s.atNanos;
      }
    }
    return -1;
  }

  long count(MembershipEvent.Type type) {
    return seen.stream().filter(s -> s.event.type() == type).count();
  }
}
