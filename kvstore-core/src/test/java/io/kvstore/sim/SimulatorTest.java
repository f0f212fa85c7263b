package io.kvstore.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.sim.toy.ToyCluster;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.EventLoop;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The simulator's own guarantees: determinism, virtual time, faults. */
final class SimulatorTest {

  /** A message with a sequence number. */
  record Num(int n) implements Message {}

  /** A node that records what it receives, in order. */
  static final class Recorder {
    final List<Integer> received = new ArrayList<>();
    final Transport transport;
    final EventLoop loop;
    final long bootId;

    Recorder(NodeContext ctx) {
      this.transport = ctx.transport();
      this.loop = ctx.eventLoop();
      this.bootId = ctx.bootId();
      transport.start(ctx.endpoint(), (from, m) -> received.add(((Num) m).n()));
    }
  }

  private static Simulation twoNodes(long seed, LinkFaults faults) {
    Simulation sim = new Simulation(seed);
    sim.network().setGlobalFaults(faults);
    sim.addHost("a", Recorder::new);
    sim.addHost("b", Recorder::new);
    sim.startAll();
    return sim;
  }

  private static Recorder node(Simulation sim, String name) {
    return sim.host(name).node(Recorder.class);
  }

  private static long traceOfToyRun(long seed) {
    SimPlan plan = ToyCluster.plan(seed, ToyCluster.Kind.ASYNC_REPLICATED, 3, 5, 30);
    ToyCluster c =
        new ToyCluster(seed, ToyCluster.Kind.ASYNC_REPLICATED, 3, 5, WorkloadConfig.mixed(3, 30));
    c.run(plan.faults());
    return c.simulation().traceHash()
        ^ HistoryJson.line(c.history().operations().get(0)).hashCode();
  }

  @Test
  void sameSeedSameTraceBitForBit() {
    long first = traceOfToyRun(77);
    long second = traceOfToyRun(77);
    assertThat(second).isEqualTo(first);
    assertThat(traceOfToyRun(78)).isNotEqualTo(first);
  }

  @Test
  void sameSeedSameTraceLines() {
    List<List<String>> traces = new ArrayList<>();
    List<List<Operation>> histories = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      SimPlan plan = ToyCluster.plan(5, ToyCluster.Kind.ASYNC_REPLICATED, 3, 4, 20);
      ToyCluster c =
          new ToyCluster(5, ToyCluster.Kind.ASYNC_REPLICATED, 3, 4, WorkloadConfig.mixed(2, 20));
      c.simulation().scheduler().keepTrace();
      c.run(plan.faults());
      traces.add(c.simulation().scheduler().traceLines());
      histories.add(c.history().operations());
    }
    assertThat(traces.get(0)).hasSizeGreaterThan(100);
    assertThat(traces.get(1)).containsExactlyElementsOf(traces.get(0));
    assertThat(histories.get(1)).containsExactlyElementsOf(histories.get(0));
  }

  @Test
  void virtualTimeMovesOnlyWithEvents() {
    Simulation sim = twoNodes(1, LinkFaults.RELIABLE);
    List<Long> firedAt = new ArrayList<>();
    sim.host("a")
        .eventLoop()
        .schedule(Duration.ofHours(1).toNanos(), () -> firedAt.add(sim.nowNanos()));
    sim.runFor(Duration.ofMinutes(59));
    assertThat(firedAt).isEmpty();
    assertThat(sim.nowNanos()).isEqualTo(Duration.ofMinutes(59).toNanos());
    sim.runFor(Duration.ofMinutes(2));
    assertThat(firedAt).containsExactly(Duration.ofHours(1).toNanos());
  }

  @Test
  void inLoopOnlyWhileRunningThatNodesTask() {
    Simulation sim = twoNodes(1, LinkFaults.RELIABLE);
    SimEventLoop a = sim.host("a").eventLoop();
    SimEventLoop b = sim.host("b").eventLoop();
    List<Boolean> seen = new ArrayList<>();
    a.execute(
        () -> {
          seen.add(a.inLoop());
          seen.add(b.inLoop());
        });
    sim.runFor(Duration.ofMillis(1));
    assertThat(seen).containsExactly(true, false);
    assertThat(a.inLoop()).isFalse();
  }

  @Test
  void streamKeepsFifoOrderUnderRandomDelays() {
    LinkFaults jittery =
        new LinkFaults(
            0, 0.5, 0.5, DelayDistribution.uniform(1_000, 50_000_000).withTail(0.1, 1_000_000_000));
    Simulation sim = twoNodes(3, jittery);
    Recorder a = node(sim, "a");
    for (int i = 0; i < 200; i++) {
      a.transport.send(sim.host("b").endpoint(), new Num(i));
    }
    sim.runFor(Duration.ofSeconds(5));
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      expected.add(i);
    }
    assertThat(node(sim, "b").received).containsExactlyElementsOf(expected);
  }

  @Test
  void datagramsAreLostDuplicatedAndReordered() {
    LinkFaults hostile =
        new LinkFaults(0.2, 0.2, 0.3, DelayDistribution.uniform(1_000, 10_000_000));
    Simulation sim = twoNodes(4, hostile);
    Recorder a = node(sim, "a");
    for (int i = 0; i < 1000; i++) {
      a.transport.sendDatagram(sim.host("b").endpoint(), new Num(i));
    }
    sim.runFor(Duration.ofSeconds(5));
    List<Integer> got = node(sim, "b").received;
    long distinct = got.stream().distinct().count();
    assertThat(distinct).isBetween(700L, 900L); // about 20% lost
    assertThat(got.size()).isGreaterThan((int) distinct); // some duplicated
    List<Integer> sorted = new ArrayList<>(got);
    sorted.sort(null);
    assertThat(got).isNotEqualTo(sorted); // some reordered
  }

  @Test
  void partitionCutsBothWaysAndHeals() {
    Simulation sim = twoNodes(5, LinkFaults.RELIABLE);
    sim.network().partition(List.of(List.of("a")));
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(1));
    node(sim, "b").transport.send(sim.host("a").endpoint(), new Num(2));
    sim.runFor(Duration.ofSeconds(1));
    assertThat(node(sim, "a").received).isEmpty();
    assertThat(node(sim, "b").received).isEmpty();
    sim.network().heal();
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(3));
    sim.runFor(Duration.ofSeconds(1));
    assertThat(node(sim, "b").received).containsExactly(3);
  }

  @Test
  void oneWayBlockIsAsymmetric() {
    Simulation sim = twoNodes(6, LinkFaults.RELIABLE);
    sim.network().block("a", "b");
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(1));
    node(sim, "b").transport.send(sim.host("a").endpoint(), new Num(2));
    sim.runFor(Duration.ofSeconds(1));
    assertThat(node(sim, "b").received).isEmpty();
    assertThat(node(sim, "a").received).containsExactly(2);
  }

  @Test
  void streamMessagesInFlightAreLostWhenTheLinkIsCutEvenIfItHeals() {
    Simulation sim =
        twoNodes(7, LinkFaults.RELIABLE.withDelay(DelayDistribution.fixed(10_000_000)));
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(1));
    sim.runFor(Duration.ofMillis(2));
    sim.network().partition(List.of(List.of("a")));
    sim.network().heal();
    sim.runFor(Duration.ofSeconds(1));
    assertThat(node(sim, "b").received).isEmpty();
  }

  @Test
  void crashDiscardsPendingEventsAndStateAndRestartIsAFreshProcess() {
    Simulation sim = twoNodes(8, LinkFaults.RELIABLE);
    Recorder before = node(sim, "b");
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(1));
    sim.runFor(Duration.ofSeconds(1));
    assertThat(before.received).containsExactly(1);
    List<String> timers = new ArrayList<>();
    before.loop.schedule(1_000_000, () -> timers.add("fired"));
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(2)); // in flight during crash
    sim.crash("b");
    assertThat(sim.host("b").isUp()).isFalse();
    assertThatThrownBy(() -> before.loop.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
    sim.runFor(Duration.ofSeconds(1));
    assertThat(timers).isEmpty();
    sim.start("b");
    Recorder after = node(sim, "b");
    assertThat(after).isNotSameAs(before);
    assertThat(after.bootId).isNotEqualTo(before.bootId);
    assertThat(after.received).isEmpty();
    assertThat(before.received).containsExactly(1);
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(3));
    sim.runFor(Duration.ofSeconds(1));
    assertThat(after.received).containsExactly(3);
  }

  @Test
  void slowNodeRunsItsEventsLate() {
    Simulation sim = twoNodes(9, LinkFaults.RELIABLE);
    sim.setSlow("b", Duration.ofMillis(200));
    AtomicReference<Long> at = new AtomicReference<>();
    sim.host("b").eventLoop().execute(() -> at.set(sim.nowNanos()));
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(1));
    sim.runFor(Duration.ofMillis(150));
    assertThat(at.get()).isNull();
    assertThat(node(sim, "b").received).isEmpty();
    sim.runFor(Duration.ofMillis(200));
    assertThat(at.get()).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(node(sim, "b").received).containsExactly(1);
  }

  @Test
  void runUntilStopsWhenThePredicateHolds() {
    Simulation sim = twoNodes(10, LinkFaults.RELIABLE);
    node(sim, "a").transport.send(sim.host("b").endpoint(), new Num(1));
    assertThat(sim.runUntil(() -> !node(sim, "b").received.isEmpty(), Duration.ofSeconds(1)))
        .isTrue();
    assertThat(sim.runUntil(() -> false, Duration.ofSeconds(1))).isFalse();
  }

  @Test
  void refusesUseFromAnotherThread() throws Exception {
    Simulation sim = twoNodes(11, LinkFaults.RELIABLE);
    AtomicReference<Throwable> error = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                sim.runFor(Duration.ofMillis(1));
              } catch (Throwable e) {
                error.set(e);
              }
            });
    t.start();
    t.join(10_000);
    assertThat(error.get()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void endpointsAreHostNamesOnOnePort() {
    Simulation sim = twoNodes(12, LinkFaults.RELIABLE);
    assertThat(sim.host("a").endpoint()).isEqualTo(new Endpoint("a", SimNetwork.PORT));
  }
}
