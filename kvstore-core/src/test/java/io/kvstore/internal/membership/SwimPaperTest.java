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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One test per behaviour of the SWIM paper (Das, Gupta, Motivala 2002), §4 and §5. */
class SwimPaperTest {

  @Test
  void section4_probeIsAPingAnsweredByAnAck() {
    SwimCore a = core(lan(), 4, 1);
    long[] now = {T0};
    Outbox.Send probe = awaitProbe(a, now);
    Ping ping = (Ping) probe.message();
    assertThat(probe.channel()).isEqualTo(Outbox.Channel.DATAGRAM);
    assertThat(probe.to()).isEqualTo(addr(indexOf(ping.target())));
    assertThat(ping.source()).isEqualTo(id(0));

    a.step(probe.to(), ackFor(ping), now[0] + 5 * MS);
    List<Outbox.Send> later = tickUntil(a, now[0] + 50 * MS, now[0] + 900 * MS, 50 * MS);

    assertThat(sendsOf(later, PingReq.class)).isEmpty();
    assertThat(a.metrics().get(Counter.ACKS)).isEqualTo(1);
    assertThat(a.state(ping.target()).status()).isEqualTo(MemberStatus.ALIVE);
  }

  @Test
  void section4_aProbedMemberAnswersOnlyForItsOwnIdentity() {
    SwimCore a = core(lan(), 2, 1);
    a.step(addr(1), new Ping(7, id(1), id(0), List.of()), T0);
    List<Outbox.Send> acks = sendsOf(a.drainSends(), Ack.class);
    assertThat(acks).hasSize(1);
    assertThat(((Ack) acks.get(0).message()).seq()).isEqualTo(7);
    assertThat(acks.get(0).to()).isEqualTo(addr(1));

    NodeId previousProcess = new NodeId(id(0).name(), 42);
    a.step(addr(1), new Ping(8, id(1), previousProcess, List.of()), T0);
    assertThat(sendsOf(a.drainSends(), Ack.class)).isEmpty();
  }

  @Test
  void section4_noAckWithinTimeoutSendsPingReqToKOtherMembers() {
    SwimCore a = core(lan(), 5, 2);
    long[] now = {T0};
    Ping ping = (Ping) awaitProbe(a, now).message();
    List<Outbox.Send> sends = tickUntil(a, now[0] + 50 * MS, now[0] + 550 * MS, 50 * MS);

    List<Outbox.Send> reqs = sendsOf(sends, PingReq.class);
    assertThat(reqs).hasSize(3);
    Set<Object> helpers = new HashSet<>();
    for (Outbox.Send s : reqs) {
      PingReq r = (PingReq) s.message();
      assertThat(r.seq()).isEqualTo(ping.seq());
      assertThat(r.target()).isEqualTo(ping.target());
      assertThat(r.targetAddress()).isEqualTo(addr(indexOf(ping.target())));
      assertThat(s.to()).isNotEqualTo(addr(indexOf(ping.target()))).isNotEqualTo(addr(0));
      helpers.add(s.to());
    }
    assertThat(helpers).hasSize(3);
    // TCP fallback probe beside the indirect ones
    List<Outbox.Send> streamPings = sendsOf(sends, Ping.class);
    assertThat(streamPings).hasSize(1);
    assertThat(streamPings.get(0).channel()).isEqualTo(Outbox.Channel.STREAM);
    assertThat(((Ping) streamPings.get(0).message()).seq() & ~SwimCore.STREAM_SEQ_BIT)
        .isEqualTo(ping.seq());
  }

  @Test
  void section4_helperRelaysTheTargetsAckToTheRequester() {
    SwimCore h = core(lan(), 3, 3);
    h.step(addr(1), new PingReq(77, id(1), id(2), addr(2), List.of()), T0);
    List<Outbox.Send> pings = sendsOf(h.drainSends(), Ping.class);
    assertThat(pings).hasSize(1);
    Ping relay = (Ping) pings.get(0).message();
    assertThat(pings.get(0).to()).isEqualTo(addr(2));
    assertThat(relay.target()).isEqualTo(id(2));

    h.step(addr(2), new Ack(relay.seq(), id(2), List.of()), T0 + 3 * MS);
    List<Outbox.Send> acks = sendsOf(h.drainSends(), Ack.class);
    assertThat(acks).hasSize(1);
    assertThat(acks.get(0).to()).isEqualTo(addr(1));
    assertThat(((Ack) acks.get(0).message()).seq()).isEqualTo(77);
    assertThat(((Ack) acks.get(0).message()).source()).isEqualTo(id(2));
    // no nack after an ack
    assertThat(sendsOf(tickUntil(h, T0 + 50 * MS, T0 + S, 50 * MS), Nack.class)).isEmpty();
  }

  @Test
  void section4_relayedAckCompletesTheProbe() {
    SwimCore a = core(lan(), 4, 4);
    long[] now = {T0};
    Ping ping = (Ping) awaitProbe(a, now).message();
    tickUntil(a, now[0] + 50 * MS, now[0] + 550 * MS, 50 * MS);
    a.step(addr(1), new Ack(ping.seq(), ping.target(), List.of()), now[0] + 600 * MS);
    tickUntil(a, now[0] + 650 * MS, now[0] + 1200 * MS, 50 * MS);
    assertThat(a.state(ping.target()).status()).isEqualTo(MemberStatus.ALIVE);
    assertThat(a.metrics().get(Counter.SUSPICIONS_RAISED)).isZero();
  }

  @Test
  void section4_noAnswerAtAllMarksTheTargetSuspectAndDisseminatesIt() {
    SwimCore a = core(lan(), 4, 5);
    long[] now = {T0};
    Ping ping = (Ping) awaitProbe(a, now).message();
    tickUntil(a, now[0] + 50 * MS, now[0] + 1000 * MS, 50 * MS);

    assertThat(a.state(ping.target()).status()).isEqualTo(MemberStatus.SUSPECT);
    assertThat(events(a, MembershipEvent.Type.SUSPECTED)).hasSize(1);
    // the suspicion rides on the next messages
    a.step(addr(1), new Ping(9, id(1), id(0), List.of()), now[0] + 1010 * MS);
    Ack ack = (Ack) sendsOf(a.drainSends(), Ack.class).get(0).message();
    assertThat(ack.gossip()).contains(update(indexOf(ping.target()), MemberStatus.SUSPECT, 0));
  }

  @Test
  void section4_2_suspectNotRefutingWithinTheTimeoutIsDeclaredDead() {
    SwimCore a = core(lan(), 4, 6);
    long[] now = {T0};
    Ping ping = (Ping) awaitProbe(a, now).message();
    long suspectAt = now[0] + 1000 * MS;
    tickUntil(a, now[0] + 50 * MS, suspectAt, 50 * MS);
    assertThat(a.state(ping.target()).status()).isEqualTo(MemberStatus.SUSPECT);
    // n = 5: min = 4 · log10(5) · 1 s ≈ 2.8 s; no confirmations: max = 6 × min ≈ 16.8 s
    long max = 6 * SuspicionTracker.minTimeoutNanos(4, 5, S);
    // keep other probes answered so only the suspicion timer matters
    answerProbesUntil(a, suspectAt, suspectAt + max - 200 * MS, ping.target());
    assertThat(a.state(ping.target()).status()).isEqualTo(MemberStatus.SUSPECT);
    answerProbesUntil(a, suspectAt + max - 150 * MS, suspectAt + max + 200 * MS, ping.target());
    assertThat(a.state(ping.target()).status()).isEqualTo(MemberStatus.DEAD);
    assertThat(a.metrics().get(Counter.DEATHS_DECLARED)).isEqualTo(1);
  }

  /** Ticks, acking every probe except those of {@code silent}. */
  static void answerProbesUntil(SwimCore a, long from, long to, NodeId silent) {
    for (long t = from; t <= to; t += 50 * MS) {
      a.tick(t);
      for (Outbox.Send s : a.drainSends()) {
        if (s.message() instanceof Ping p && p.source().equals(a.self())
            && !p.target().equals(silent)) {
          a.step(s.to(), new Ack(p.seq(), p.target(), List.of()), t + MS);
        }
      }
    }
  }

  @Test
  void section4_2_aSuspectedMemberRefutesByRaisingItsIncarnation() {
    SwimCore a = core(lan(), 2, 7);
    a.step(addr(1), new Ping(1, id(1), id(0), List.of(update(0, MemberStatus.SUSPECT, 0))), T0);
    assertThat(a.incarnation()).isEqualTo(1);
    assertThat(a.metrics().get(Counter.SELF_REFUTATIONS)).isEqualTo(1);
    Ack ack = (Ack) sendsOf(a.drainSends(), Ack.class).get(0).message();
    assertThat(ack.gossip()).contains(update(0, MemberStatus.ALIVE, 1));
    // an older accusation is ignored
    a.step(addr(1), new Ping(2, id(1), id(0), List.of(update(0, MemberStatus.SUSPECT, 0))), T0);
    assertThat(a.incarnation()).isEqualTo(1);
    // a death claim at the current incarnation is refuted too
    a.step(addr(1), new Ping(3, id(1), id(0), List.of(update(0, MemberStatus.DEAD, 1))), T0);
    assertThat(a.incarnation()).isEqualTo(2);
  }

  @Test
  void section4_2_refutationClearsTheSuspicionElsewhere() {
    SwimCore a = core(lan(), 3, 8);
    a.step(addr(1), new Ack(0, id(1), List.of(update(2, MemberStatus.SUSPECT, 0))), T0);
    assertThat(events(a, MembershipEvent.Type.SUSPECTED)).hasSize(1);
    assertThat(a.suspicion(id(2))).isNotNull();
    // same incarnation alive does not override suspect
    a.step(addr(2), new Ack(0, id(2), List.of(update(2, MemberStatus.ALIVE, 0))), T0);
    assertThat(a.state(id(2)).status()).isEqualTo(MemberStatus.SUSPECT);
    a.step(addr(2), new Ack(0, id(2), List.of(update(2, MemberStatus.ALIVE, 1))), T0);
    assertThat(a.state(id(2)).status()).isEqualTo(MemberStatus.ALIVE);
    assertThat(events(a, MembershipEvent.Type.ALIVE)).hasSize(1);
    assertThat(a.suspicion(id(2))).isNull();
    assertThat(a.metrics().get(Counter.SUSPICIONS_REFUTED)).isEqualTo(1);
  }

  @Test
  void section4_4_updatesArePiggybackedAboutLambdaLogNTimes() {
    SwimCore a = core(lan(), 9, 9); // n = 10: limit = 4 · ceil(log10(11)) = 8
    a.step(addr(1), new Ack(0, id(1), List.of(update(5, MemberStatus.ALIVE, 3))), T0);
    MemberUpdate news = update(5, MemberStatus.ALIVE, 3);
    int carried = 0;
    for (int i = 0; i < 50; i++) {
      a.step(addr(1), new Ping(100 + i, id(1), id(0), List.of()), T0 + i * MS);
      for (Outbox.Send s : a.drainSends()) {
        if (s.message() instanceof Ack ack && ack.gossip().contains(news)) {
          carried++;
        }
      }
    }
    assertThat(carried).isEqualTo(GossipQueue.transmitLimit(4, 10)).isEqualTo(8);
  }

  @Test
  void section4_4_everyDatagramStaysWithinTheByteBudget() {
    SwimCore a = core(lan(), 1, 10);
    List<MemberUpdate> many = new ArrayList<>();
    for (int i = 2; i < 200; i++) {
      many.add(new MemberUpdate(id(i), addr(i), MemberStatus.ALIVE, 0,
          Map.of("http", "http://some-rather-long-host-name-" + i + ".example:8000")));
    }
    a.step(addr(1), new Ack(0, id(1), many), T0);
    a.drainSends();
    List<Outbox.Send> sends = tickUntil(a, T0, T0 + 20 * S, 50 * MS);
    for (int i = 0; i < 20; i++) {
      a.step(addr(1), new Ping(500 + i, id(1), id(0), List.of()), T0 + 20 * S);
      sends.addAll(a.drainSends());
    }
    int datagrams = 0;
    for (Outbox.Send s : sends) {
      if (s.channel() == Outbox.Channel.DATAGRAM) {
        datagrams++;
        assertThat(WireSize.of(s.message())).isLessThanOrEqualTo(1400);
      }
    }
    assertThat(datagrams).isGreaterThan(20);
  }

  @Test
  void section5_probeTargetsAreRoundRobinOverAShuffledList() {
    SwimCore a = core(lan(), 6, 11);
    long[] now = {T0};
    List<NodeId> order = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Outbox.Send s = awaitProbe(a, now);
      Ping p = (Ping) s.message();
      a.step(s.to(), ackFor(p), now[0] + MS);
      order.add(p.target());
    }
    // each pass visits every member exactly once
    assertThat(new HashSet<>(order.subList(0, 6))).hasSize(6);
    assertThat(new HashSet<>(order.subList(6, 12))).hasSize(6);
  }

  @Test
  void determinism_sameSeedSameOutputs() {
    List<String> first = run(42);
    List<String> second = run(42);
    assertThat(first).isEqualTo(second).isNotEmpty();
  }

  private static List<String> run(long seed) {
    SwimHarness h = new SwimHarness(MembershipConfig.lan(), seed);
    for (int i = 0; i < 5; i++) {
      h.addNode("n" + i);
    }
    for (int i = 0; i < 5; i++) {
      h.join(i, List.of(0, 1, 2, 3, 4));
    }
    h.datagramLoss = 0.1;
    h.advanceSeconds(10);
    h.crash(3);
    h.advanceSeconds(20);
    List<String> out = new ArrayList<>();
    for (SwimHarness.Seen s : h.seen) {
      out.add(s.node() + "@" + s.atNanos() + ":" + s.event());
    }
    return out;
  }

  @Test
  void alive_newMemberLearnedFromGossipIsAnnounced() {
    SwimCore a = new SwimCore(lan(), id(0), addr(0), Map.of(), new SplittableRandom(1),
        new MembershipMetrics());
    a.start(T0);
    a.step(addr(1), new Ack(0, id(1), List.of(alive(1))), T0);
    assertThat(events(a, MembershipEvent.Type.JOINED)).hasSize(1);
    assertThat(a.members()).hasSize(2);
  }
}
