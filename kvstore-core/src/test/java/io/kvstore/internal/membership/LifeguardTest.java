package io.kvstore.internal.membership;

import static io.kvstore.internal.membership.Fixtures.MS;
import static io.kvstore.internal.membership.Fixtures.S;
import static io.kvstore.internal.membership.Fixtures.T0;
import static io.kvstore.internal.membership.Fixtures.ackFor;
import static io.kvstore.internal.membership.Fixtures.addr;
import static io.kvstore.internal.membership.Fixtures.alive;
import static io.kvstore.internal.membership.Fixtures.awaitProbe;
import static io.kvstore.internal.membership.Fixtures.core;
import static io.kvstore.internal.membership.Fixtures.events;
import static io.kvstore.internal.membership.Fixtures.id;
import static io.kvstore.internal.membership.Fixtures.indexOf;
import static io.kvstore.internal.membership.Fixtures.lan;
import static io.kvstore.internal.membership.Fixtures.sendsOf;
import static io.kvstore.internal.membership.Fixtures.tickUntil;
import static io.kvstore.internal.membership.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.internal.membership.MembershipMetrics.Counter;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.MemberUpdate;
import io.kvstore.spi.message.Nack;
import io.kvstore.spi.message.Ping;
import io.kvstore.spi.message.PingReq;
import io.kvstore.spi.message.PushPull;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Lifeguard (Dadgar, Phillips, Currey 2017): local health awareness, dynamic suspicion timeouts,
 * nacks; plus JVM pause awareness, the TCP fallback probe, join, leave, push-pull and identities.
 */
class LifeguardTest {

  /**
   * Lets one probe fail completely, with {@code nacks} nacks from helpers; returns the next probe,
   * which starts in the tick that ends the failed one.
   */
  private static Outbox.Send failOneProbe(SwimCore a, long[] now, int nacks) {
    Ping ping = (Ping) awaitProbe(a, now).message();
    long start = now[0];
    long t = start;
    boolean nacked = false;
    long failed = a.metrics().get(Counter.PROBES_FAILED);
    List<Outbox.Send> sends = List.of();
    while (a.metrics().get(Counter.PROBES_FAILED) == failed && t < start + 20 * S) {
      t += 50 * MS;
      a.tick(t);
      sends = a.drainSends();
      if (!nacked && !sendsOf(sends, PingReq.class).isEmpty()) {
        nacked = true;
        for (int i = 0; i < nacks; i++) {
          a.step(addr(1), new Nack(ping.seq(), id(90 + i)), t + MS);
        }
      }
    }
    now[0] = t;
    for (Outbox.Send s : sends) {
      if (s.message() instanceof Ping p && p.source().equals(a.self())) {
        return s;
      }
    }
    throw new AssertionError("no next probe");
  }

  @Test
  void awarenessGrowsWithMissedNacksAndShrinksWithTimelyAcks() {
    SwimCore a = core(lan(), 5, 1);
    long[] now = {T0};
    Outbox.Send s = failOneProbe(a, now, 0);
    assertThat(a.awarenessScore()).isEqualTo(3); // 3 helpers, 0 nacks
    a.step(s.to(), ackFor((Ping) s.message()), now[0] + MS);
    s = awaitProbe(a, now);
    a.step(s.to(), ackFor((Ping) s.message()), now[0] + MS);
    assertThat(a.awarenessScore()).isEqualTo(1);
  }

  @Test
  void nacksShowOurOwnLinksWorkSoAwarenessStays() {
    SwimCore a = core(lan(), 5, 2);
    long[] now = {T0};
    failOneProbe(a, now, 3);
    assertThat(a.awarenessScore()).isZero();
    assertThat(a.metrics().get(Counter.NACKS)).isEqualTo(3);
  }

  @Test
  void helperSendsNackWhenTheTargetStaysSilent() {
    SwimCore h = core(lan(), 3, 3);
    h.step(addr(1), new PingReq(55, id(1), id(2), addr(2), List.of()), T0);
    h.drainSends();
    List<Outbox.Send> sends = tickUntil(h, T0, T0 + 450 * MS, 50 * MS);
    List<Outbox.Send> nacks = sendsOf(sends, Nack.class);
    assertThat(nacks).hasSize(1); // at 80% of the probe timeout
    assertThat(nacks.get(0).to()).isEqualTo(addr(1));
    assertThat(((Nack) nacks.get(0).message()).seq()).isEqualTo(55);
  }

  @Test
  void awarenessStretchesProbeTimeouts() {
    SwimCore a = core(lan(), 5, 4);
    long[] now = {T0};
    Ping ping = (Ping) failOneProbe(a, now, 0).message(); // awareness 3: timeouts × 4
    long start = now[0];
    List<Outbox.Send> early = tickUntil(a, start + 50 * MS, start + 1950 * MS, 50 * MS);
    assertThat(sendsOf(early, PingReq.class)).isEmpty();
    List<Outbox.Send> late = tickUntil(a, start + 2000 * MS, start + 2100 * MS, 50 * MS);
    List<Outbox.Send> reqs = sendsOf(late, PingReq.class);
    assertThat(reqs).isNotEmpty();
    assertThat(((PingReq) reqs.get(0).message()).target()).isEqualTo(ping.target());
  }

  @Test
  void suspicionTimeoutFormulaShrinksWithConfirmations() {
    long min = 2 * S;
    long max = 12 * S;
    assertThat(SuspicionTracker.timeoutNanos(0, 2, min, max)).isEqualTo(max);
    long one = SuspicionTracker.timeoutNanos(1, 2, min, max);
    assertThat(one).isLessThan(max).isGreaterThan(min);
    assertThat(SuspicionTracker.timeoutNanos(2, 2, min, max)).isEqualTo(min);
    assertThat(SuspicionTracker.timeoutNanos(5, 2, min, max)).isEqualTo(min);
    // min = mult · log10(n) · interval
    assertThat(SuspicionTracker.minTimeoutNanos(4, 100, S)).isEqualTo(8 * S);
  }

  @Test
  void independentConfirmationsBringDeathForward() {
    SwimCore a = core(lan(), 4, 5); // n = 5
    a.step(addr(1), new Ack(0, id(1), List.of(update(2, MemberStatus.SUSPECT, 0))), T0);
    long min = SuspicionTracker.minTimeoutNanos(4, 5, S);
    // the same accuser again does not count; two others do
    a.step(addr(1), new Ack(0, id(1), List.of(update(2, MemberStatus.SUSPECT, 0))), T0);
    assertThat(a.suspicion(id(2)).confirmations()).isZero();
    a.step(addr(3), new Ack(0, id(3), List.of(update(2, MemberStatus.SUSPECT, 0))), T0);
    a.step(addr(4), new Ack(0, id(4), List.of(update(2, MemberStatus.SUSPECT, 0))), T0);
    assertThat(a.suspicion(id(2)).confirmations()).isEqualTo(2);
    tickUntil(a, T0, T0 + min - MS, 10 * MS);
    assertThat(a.state(id(2)).status()).isEqualTo(MemberStatus.SUSPECT);
    a.tick(T0 + min + MS);
    assertThat(a.state(id(2)).status()).isEqualTo(MemberStatus.DEAD);
    assertThat(events(a, MembershipEvent.Type.FAILED)).hasSize(1);
  }

  @Test
  void suspectIsToldFirstThatItIsSuspected() {
    SwimCore a = core(lan(), 1, 6);
    a.step(addr(1), new Ack(0, id(1), List.of(update(1, MemberStatus.SUSPECT, 0))), T0);
    long[] now = {T0};
    Ping ping = (Ping) awaitProbe(a, now).message();
    assertThat(ping.target()).isEqualTo(id(1));
    assertThat(ping.gossip().get(0)).isEqualTo(update(1, MemberStatus.SUSPECT, 0));
  }

  @Test
  void pauseOfThisProcessIsNotHeldAgainstOthers() {
    SwimCore a = core(lan(), 4, 7);
    long[] now = {T0};
    Ping ping = (Ping) awaitProbe(a, now).message();
    // the process stops for 5 s right after sending the probe (GC, SIGSTOP)
    long resumed = now[0] + 5 * S;
    a.tick(resumed);
    List<Outbox.Send> afterStall = a.drainSends();
    assertThat(a.metrics().get(Counter.PAUSES)).isEqualTo(1);
    assertThat(a.awarenessScore()).isGreaterThan(0);
    assertThat(sendsOf(afterStall, PingReq.class)).isEmpty();
    assertThat(a.state(ping.target()).status()).isEqualTo(MemberStatus.ALIVE);
    // the ack that queued up during the stall is read next and completes the probe
    a.step(addr(indexOf(ping.target())), ackFor(ping), resumed + MS);
    tickUntil(a, resumed + 50 * MS, resumed + 2 * S, 50 * MS);
    assertThat(a.metrics().get(Counter.SUSPICIONS_RAISED)).isZero();
    assertThat(a.metrics().get(Counter.ACKS)).isEqualTo(1);
  }

  @Test
  void pausePostponesRunningSuspicions() {
    SwimCore a = core(lan(), 4, 8);
    a.step(addr(1), new Ack(0, id(1), List.of(update(2, MemberStatus.SUSPECT, 0))), T0);
    long max = 6 * SuspicionTracker.minTimeoutNanos(4, 5, S);
    a.tick(T0 + 50 * MS);
    a.tick(T0 + max + S); // stalled past the whole suspicion timeout
    assertThat(a.state(id(2)).status()).isEqualTo(MemberStatus.SUSPECT);
    // the refutation that arrived meanwhile is read now
    a.step(addr(2), new Ack(0, id(2), List.of(update(2, MemberStatus.ALIVE, 1))), T0 + max + S);
    assertThat(a.state(id(2)).status()).isEqualTo(MemberStatus.ALIVE);
  }

  @Test
  void streamFallbackAckCountsWhenUdpIsBroken() {
    SwimCore a = core(lan(), 4, 9);
    long[] now = {T0};
    Ping ping = (Ping) awaitProbe(a, now).message();
    List<Outbox.Send> sends = tickUntil(a, now[0] + 50 * MS, now[0] + 550 * MS, 50 * MS);
    Outbox.Send stream = sendsOf(sends, Ping.class).get(0);
    Ping streamPing = (Ping) stream.message();
    // the target answers a stream ping over the stream
    SwimCore target = new SwimCore(lan(), ping.target(), stream.to(), Map.of(),
        new SplittableRandom(1), new MembershipMetrics());
    target.start(T0);
    target.step(addr(0), streamPing, now[0] + 600 * MS);
    Outbox.Send reply = sendsOf(target.drainSends(), Ack.class).get(0);
    assertThat(reply.channel()).isEqualTo(Outbox.Channel.STREAM);
    a.step(stream.to(), reply.message(), now[0] + 601 * MS);
    tickUntil(a, now[0] + 650 * MS, now[0] + 1200 * MS, 50 * MS);
    assertThat(a.metrics().get(Counter.SUSPICIONS_RAISED)).isZero();
    assertThat(a.metrics().get(Counter.ACKS)).isEqualTo(1);
  }

  @Test
  void joinContactsSeedsExceptItselfAndRetriesWithBackoff() {
    SwimCore a = new SwimCore(lan(), id(0), addr(0), Map.of(), new SplittableRandom(1),
        new MembershipMetrics());
    a.join(List.of(addr(0), addr(1), addr(2)), T0);
    List<Outbox.Send> first = sendsOf(a.drainSends(), PushPull.class);
    assertThat(first).extracting(Outbox.Send::to).containsExactly(addr(1), addr(2));
    assertThat(((PushPull) first.get(0).message()).join()).isTrue();
    assertThat(first.get(0).channel()).isEqualTo(Outbox.Channel.STREAM);
    // seed 1 answers with the full state; seed 2 stays silent and is retried
    a.step(addr(1), new PushPull(id(1), false, true, List.of(alive(1), alive(3))), T0 + MS);
    assertThat(a.members()).hasSize(3);
    List<Outbox.Send> retries = sendsOf(tickUntil(a, T0, T0 + 10 * S, 10 * MS), PushPull.class);
    assertThat(retries).isNotEmpty();
    assertThat(retries).extracting(Outbox.Send::to).containsOnly(addr(2));
    assertThat(retries.size()).isLessThan(8); // backoff: 1 s, 2 s, 4 s ...
  }

  @Test
  void pushPullIsAnsweredWithTheFullState() {
    SwimCore a = core(lan(), 2, 10);
    a.step(addr(5), new PushPull(id(5), true, false, List.of(alive(5))), T0);
    List<Outbox.Send> replies = sendsOf(a.drainSends(), PushPull.class);
    assertThat(replies).hasSize(1);
    PushPull reply = (PushPull) replies.get(0).message();
    assertThat(reply.reply()).isTrue();
    assertThat(reply.members()).extracting(MemberUpdate::id)
        .containsExactly(id(0), id(1), id(2), id(5));
    // a remote "dead" only makes us suspect (we may still reach it)
    a.step(addr(5), new PushPull(id(5), false, true, List.of(update(1, MemberStatus.DEAD, 0))),
        T0);
    assertThat(a.state(id(1)).status()).isEqualTo(MemberStatus.SUSPECT);
  }

  @Test
  void leaveAnnouncesLeftWithAHigherIncarnationAndStopsProbing() {
    SwimCore a = core(lan(), 3, 11);
    a.leave(T0 + S);
    List<Outbox.Send> sends = a.drainSends();
    assertThat(sends).hasSize(3);
    for (Outbox.Send s : sends) {
      Ack ack = (Ack) s.message();
      assertThat(ack.gossip()).containsExactly(update(0, MemberStatus.LEFT, 1));
    }
    List<Outbox.Send> later = tickUntil(a, T0 + S, T0 + 5 * S, 50 * MS);
    assertThat(sendsOf(later, Ping.class)).isEmpty();
    // and others record it
    SwimCore b = core(lan(), 3, 12);
    b.step(addr(3), new Ack(0, id(3), List.of(update(3, MemberStatus.LEFT, 1))), T0);
    assertThat(events(b, MembershipEvent.Type.LEFT)).hasSize(1);
  }

  @Test
  void newProcessAtADeadMembersAddressReplacesIt() {
    SwimCore a = core(lan(), 3, 13);
    a.step(addr(1), new Ack(0, id(1), List.of(update(2, MemberStatus.DEAD, 0))), T0);
    assertThat(a.state(id(2)).status()).isEqualTo(MemberStatus.DEAD);
    NodeId reborn = new NodeId(id(2).name(), 777);
    MemberUpdate fresh = new MemberUpdate(reborn, addr(2), MemberStatus.ALIVE, 0, Map.of());
    a.step(addr(2), new Ack(0, reborn, List.of(fresh)), T0 + S);
    assertThat(a.state(id(2))).isNull();
    assertThat(a.state(reborn).status()).isEqualTo(MemberStatus.ALIVE);
    // stale gossip about the old identity cannot bring it back
    a.step(addr(1), new Ack(0, id(1), List.of(update(2, MemberStatus.ALIVE, 0))), T0 + 2 * S);
    assertThat(a.state(id(2))).isNull();
    assertThat(a.members()).extracting(m -> m.id().name()).doesNotHaveDuplicates();
  }

  @Test
  void oldIdentityDeclaredDeadAfterItsSuccessorJoinedIsRemoved() {
    SwimCore a = core(lan(), 3, 14);
    NodeId reborn = new NodeId(id(2).name(), 777);
    a.step(addr(2), new Ack(0, reborn,
        List.of(new MemberUpdate(reborn, addr(2), MemberStatus.ALIVE, 0, Map.of()))), T0);
    assertThat(a.members()).hasSize(5);
    a.step(addr(1), new Ack(0, id(1), List.of(update(2, MemberStatus.DEAD, 0))), T0);
    assertThat(a.state(id(2))).isNull();
    assertThat(a.members()).hasSize(4);
  }

  @Test
  void deadMembersAreReapedAfterTheConfiguredDelay() {
    MembershipConfig cfg = lan().withDeadReap(10 * S);
    SwimCore a = core(cfg, 3, 15);
    a.step(addr(1), new Ack(0, id(1), List.of(update(2, MemberStatus.DEAD, 0))), T0);
    tickUntil(a, T0, T0 + 9 * S, 50 * MS);
    assertThat(a.state(id(2))).isNotNull();
    tickUntil(a, T0 + 9 * S, T0 + 12 * S, 50 * MS);
    assertThat(a.state(id(2))).isNull();
  }
}
