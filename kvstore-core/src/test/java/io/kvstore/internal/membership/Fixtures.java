package io.kvstore.internal.membership;

import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.MemberUpdate;
import io.kvstore.spi.message.Ping;
import io.kvstore.spi.message.PushPull;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Helpers for single-core tests: identities, updates and outbox filters. */
final class Fixtures {
  static final long MS = 1_000_000L;
  static final long S = 1_000_000_000L;
  static final long T0 = 10 * S;

  private Fixtures() {}

  static NodeId id(int i) {
    return new NodeId("node-" + i, 1000 + i);
  }

  static Endpoint addr(int i) {
    return new Endpoint("10.0.0." + i, 7946);
  }

  static MemberUpdate update(int i, MemberStatus status, long incarnation) {
    return new MemberUpdate(id(i), addr(i), status, incarnation, Map.of());
  }

  static MemberUpdate alive(int i) {
    return update(i, MemberStatus.ALIVE, 0);
  }

  /** A started core for node 0 that knows nodes 1..others as alive (through a push-pull). */
  static SwimCore core(MembershipConfig config, int others, long seed) {
    SwimCore core = new SwimCore(config, id(0), addr(0), Map.of(), new SplittableRandom(seed),
        new MembershipMetrics());
    core.start(T0);
    List<MemberUpdate> members = new ArrayList<>();
    for (int i = 1; i <= others; i++) {
      members.add(alive(i));
    }
    if (!members.isEmpty()) {
      core.step(addr(1), new PushPull(id(1), false, true, members), T0);
    }
    core.drainSends();
    core.drainEvents();
    return core;
  }

  /** LAN config without push-pull noise. */
  static MembershipConfig lan() {
    return MembershipConfig.lan().withPushPullInterval(0);
  }

  static <T extends Message> List<Outbox.Send> sendsOf(List<Outbox.Send> sends, Class<T> type) {
    List<Outbox.Send> out = new ArrayList<>();
    for (Outbox.Send s : sends) {
      if (type.isInstance(s.message())) {
        out.add(s);
      }
    }
    return out;
  }

  /** Ticks every {@code stepNanos} from {@code from} to {@code to}, collecting sends. */
  static List<Outbox.Send> tickUntil(SwimCore core, long from, long to, long stepNanos) {
    List<Outbox.Send> out = new ArrayList<>();
    for (long t = from; t <= to; t += stepNanos) {
      core.tick(t);
      out.addAll(core.drainSends());
    }
    return out;
  }

  /** Ticks in 50 ms steps until the core sends a (non-stream) probe; returns it. */
  static Outbox.Send awaitProbe(SwimCore core, long[] now) {
    for (int i = 0; i < 1000; i++) {
      now[0] += 50 * MS;
      core.tick(now[0]);
      for (Outbox.Send s : core.drainSends()) {
        if (s.message() instanceof Ping p && (p.seq() & SwimCore.STREAM_SEQ_BIT) == 0
            && p.source().equals(core.self())) {
          return s;
        }
      }
    }
    throw new AssertionError("no probe sent");
  }

  static Ack ackFor(Ping p) {
    return new Ack(p.seq(), p.target(), List.of());
  }

  static List<MembershipEvent> events(SwimCore core, MembershipEvent.Type type) {
    List<MembershipEvent> out = new ArrayList<>();
    for (MembershipEvent e : core.drainEvents()) {
      if (e.type() == type) {
        out.add(e);
      }
    }
    return out;
  }

  /** Index of a fixture node from its id. */
  static int indexOf(NodeId id) {
    return (int) (id.boot() - 1000);
  }
}
