package io.kvstore.internal.membership;

import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.internal.membership.MembershipMetrics.Counter;
import io.kvstore.internal.membership.Outbox.Channel;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.MemberUpdate;
import io.kvstore.spi.message.Nack;
import io.kvstore.spi.message.Ping;
import io.kvstore.spi.message.PingReq;
import io.kvstore.spi.message.PushPull;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * SWIM failure detection and dissemination with Lifeguard, as a pure state machine (Das, Gupta,
 * Motivala 2002; Dadgar et al. 2017; memberlist). Inputs: {@link #step} (a message), {@link #tick}
 * (time passes), {@link #join} and {@link #leave}; outputs accumulate in an {@link Outbox} that the
 * caller drains. Time is an argument, randomness injected: the same inputs give the same outputs.
 *
 * <p><b>Thread-unsafe</b>: confine an instance to one event loop.
 *
 * <p>Wire conventions on top of the SPI records: an {@link Ack} with {@code seq} 0 is a pure
 * gossip carrier (not an answer to anything); a {@link Ping} whose {@code seq} has bit 62 set came
 * over the stream (the TCP fallback probe) and is answered over the stream.
 */
public final class SwimCore {
  /** Marks a probe sent over the stream so the ack comes back the same way. */
  static final long STREAM_SEQ_BIT = 1L << 62;

  private static final long REAP_EVERY_NANOS = 1_000_000_000L;
  private static final int MAX_RELAYS = 1024;
  private static final int MAX_LEAVE_FANOUT = 64;

  private final MembershipConfig config;
  private final NodeId self;
  private final Endpoint selfAddress;
  private final RandomGenerator random;
  private final Outbox outbox = new Outbox();
  private final MembershipMetrics metrics;
  private final MemberTable table = new MemberTable();
  private final SuspicionTracker suspicions = new SuspicionTracker();
  private final Awareness awareness;
  private final GossipQueue queue;
  private final PauseDetector pauses;
  private final Relays relays = new Relays(MAX_RELAYS);
  private final ProbeSchedule schedule;
  private Map<String, String> metadata;
  private long incarnation;
  private long nextSeq = 1;
  private boolean started;
  private boolean leaving;
  private Probe probe;
  private long nextProbeNanos;
  private long nextGossipNanos;
  private long nextPushPullNanos;
  private long nextReapNanos;
  private List<Endpoint> seeds = List.of();
  private long nextSeedNanos;
  private long seedBackoffNanos;

  /**
   * Creates a core for {@code self}, reachable at {@code selfAddress}.
   *
   * @param metrics counters to update (shared with the driver, which reads them)
   */
  public SwimCore(MembershipConfig config, NodeId self, Endpoint selfAddress,
      Map<String, String> metadata, RandomGenerator random, MembershipMetrics metrics) {
    this.config = Objects.requireNonNull(config, "config");
    this.self = Objects.requireNonNull(self, "self");
    this.selfAddress = Objects.requireNonNull(selfAddress, "selfAddress");
    this.metadata = Map.copyOf(metadata);
    this.random = Objects.requireNonNull(random, "random");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.awareness = new Awareness(config.awarenessMax());
    // The largest message without gossip is a ping-req: leave room for it plus two names.
    int maxUpdateBytes = config.maxDatagramBytes() - 2 * WireSize.ENVELOPE_BYTES - 200;
    this.queue = new GossipQueue(config.retransmitMult(), config.maxQueuedUpdates(),
        maxUpdateBytes);
    this.pauses = new PauseDetector(config.tickIntervalNanos(), config.pauseThresholdNanos());
    this.schedule = new ProbeSchedule(random);
  }

  // ---------------------------------------------------------------- inputs

  /** Starts (if needed) and contacts {@code seeds} with a join push-pull; own address ignored. */
  public void join(List<Endpoint> seedList, long nowNanos) {
    start(nowNanos);
    List<Endpoint> filtered = new ArrayList<>();
    for (Endpoint e : seedList) {
      if (!e.equals(selfAddress) && !filtered.contains(e)) {
        filtered.add(e);
      }
    }
    seeds = List.copyOf(filtered);
    seedBackoffNanos = config.joinRetryMinNanos();
    for (Endpoint seed : seeds) {
      send(seed, new PushPull(self, true, false, table.all()), Channel.STREAM);
    }
    nextSeedNanos = nowNanos + jitter(seedBackoffNanos);
  }

  /** Starts as a one-member cluster (idempotent); {@link #join} calls it. */
  public void start(long nowNanos) {
    if (started) {
      return;
    }
    started = true;
    MemberUpdate me = selfUpdate(MemberStatus.ALIVE);
    table.put(me, nowNanos);
    queue.enqueue(me);
    pauses.onTick(nowNanos);
    nextProbeNanos = nowNanos + jitter(config.probeIntervalNanos());
    nextGossipNanos = nowNanos + jitter(config.gossipIntervalNanos());
    nextPushPullNanos = nowNanos + jitter(Math.max(1, config.pushPullIntervalNanos()));
    nextReapNanos = nowNanos + REAP_EVERY_NANOS;
  }

  /** Announces {@code left} (with a raised incarnation) and stops probing. Idempotent. */
  public void leave(long nowNanos) {
    if (!started || leaving) {
      return;
    }
    leaving = true;
    probe = null;
    incarnation++;
    MemberUpdate left = selfUpdate(MemberStatus.LEFT);
    table.put(left, nowNanos);
    queue.enqueue(left);
    List<MemberUpdate> targets = liveOthers(false);
    int fanout = Math.min(targets.size(), MAX_LEAVE_FANOUT);
    Shuffle.pickFirst(targets, fanout, random);
    for (int i = 0; i < fanout; i++) {
      send(targets.get(i).address(), new Ack(0, self, List.of(left)), Channel.DATAGRAM);
    }
  }

  /** Publishes new metadata under a raised incarnation. */
  public void updateMetadata(Map<String, String> newMetadata, long nowNanos) {
    metadata = Map.copyOf(newMetadata);
    if (started && !leaving) {
      incarnation++;
      MemberUpdate me = selfUpdate(MemberStatus.ALIVE);
      table.put(me, nowNanos);
      queue.enqueue(me);
    }
  }

  /** Handles one message received from {@code from} (the sender's advertised endpoint). */
  public void step(Endpoint from, Message m, long nowNanos) {
    metrics.inc(Counter.PACKETS_IN);
    metrics.add(Counter.BYTES_IN, WireSize.of(m));
    if (!started) {
      metrics.inc(Counter.PACKETS_DROPPED);
      return;
    }
    tellIfDead(from, senderOf(m));
    if (m instanceof Ping p) {
      onPing(from, p, nowNanos);
    } else if (m instanceof Ack a) {
      onAck(a, nowNanos);
    } else if (m instanceof PingReq r) {
      onPingReq(from, r, nowNanos);
    } else if (m instanceof Nack n) {
      onNack(n);
    } else if (m instanceof PushPull pp) {
      onPushPull(from, pp, nowNanos);
    } else {
      metrics.inc(Counter.PACKETS_DROPPED);
    }
  }

  /** Lets time pass: probe deadlines, suspicion timeouts, gossip, push-pull, seeds, reaping. */
  public void tick(long nowNanos) {
    long stall = pauses.onTick(nowNanos);
    if (!started) {
      return;
    }
    if (stall > 0) {
      onStall(stall);
    }
    expireSuspicions(nowNanos);
    expireRelays(nowNanos);
    if (!leaving) {
      advanceProbe(nowNanos);
    }
    if (nowNanos >= nextGossipNanos) {
      nextGossipNanos = nowNanos + config.gossipIntervalNanos();
      gossipRound(nowNanos);
    }
    if (!leaving && config.pushPullIntervalNanos() > 0 && nowNanos >= nextPushPullNanos) {
      nextPushPullNanos = nowNanos + pushPullIntervalNanos(table.liveCount());
      pushPull();
    }
    if (!leaving && !seeds.isEmpty() && nowNanos >= nextSeedNanos) {
      retrySeeds(nowNanos);
    }
    if (nowNanos >= nextReapNanos) {
      nextReapNanos = nowNanos + REAP_EVERY_NANOS;
      table.reap(nowNanos, config.deadReapNanos(), self);
    }
  }

  // ---------------------------------------------------------------- outputs and views

  /** Removes and returns the messages to send, oldest first. */
  public List<Outbox.Send> drainSends() {
    return outbox.drainSends();
  }

  /** Removes and returns the membership events, oldest first. */
  public List<MembershipEvent> drainEvents() {
    return outbox.drainEvents();
  }

  /** A snapshot of every member this node knows, itself included, in identity order. */
  public List<Member> members() {
    return table.snapshot();
  }

  /** This node's identity. */
  public NodeId self() {
    return self;
  }

  /** This node's address. */
  public Endpoint selfAddress() {
    return selfAddress;
  }

  /** The counters. */
  public MembershipMetrics metrics() {
    return metrics;
  }

  long incarnation() {
    return incarnation;
  }

  int awarenessScore() {
    return awareness.score();
  }

  boolean probing() {
    return probe != null;
  }

  SuspicionTracker.Suspicion suspicion(NodeId id) {
    return suspicions.get(id);
  }

  MemberUpdate state(NodeId id) {
    return table.get(id);
  }

  /** Updates still waiting to be piggybacked. */
  public int queuedUpdates() {
    return queue.size();
  }

  /** Whether {@link #leave} was called. */
  public boolean hasLeft() {
    return leaving;
  }

  /** Whether nothing is left to gossip, or nobody is left to gossip to. */
  public boolean gossipSettled() {
    return queue.size() == 0 || liveOthers(true).isEmpty();
  }

  // ---------------------------------------------------------------- message handlers

  /** The identity that sent {@code m} itself (not a relayed ack). */
  private static NodeId senderOf(Message m) {
    if (m instanceof Ping p) {
      return p.source();
    }
    if (m instanceof PingReq r) {
      return r.source();
    }
    if (m instanceof PushPull pp) {
      return pp.source();
    }
    if (m instanceof Ack a && a.seq() == 0) {
      return a.source();
    }
    return null;
  }

  /**
   * A member we hold dead (or reaped) is talking to us: tell it, so that it refutes with a higher
   * incarnation that passes every tombstone. This is how two sides of a long partition, which
   * reaped each other, merge again once seeds reconnect them.
   */
  private void tellIfDead(Endpoint from, NodeId sender) {
    if (sender == null || sender.equals(self)) {
      return;
    }
    long deadAt = table.deathIncarnation(sender);
    if (deadAt >= 0) {
      MemberUpdate dead = new MemberUpdate(sender, from, MemberStatus.DEAD, deadAt, Map.of());
      send(from, new Ack(0, self, List.of(dead)), Channel.DATAGRAM);
    }
  }

  private void onPing(Endpoint from, Ping p, long nowNanos) {
    mergeGossip(p.gossip(), p.source(), nowNanos);
    if (!p.target().equals(self)) {
      // A ping for a previous process at this address: that identity is gone; stay silent.
      metrics.inc(Counter.PACKETS_DROPPED);
      return;
    }
    boolean stream = (p.seq() & STREAM_SEQ_BIT) != 0;
    Ack ack = new Ack(p.seq(), self, List.of());
    send(from, new Ack(p.seq(), self, gossip(ack, null)),
        stream ? Channel.STREAM : Channel.DATAGRAM);
  }

  private void onAck(Ack a, long nowNanos) {
    mergeGossip(a.gossip(), a.source(), nowNanos);
    if (a.seq() == 0) {
      return; // pure gossip carrier
    }
    if (probe != null && probe.answeredBy(a.seq(), a.source())) {
      metrics.inc(Counter.ACKS);
      // Lifeguard: a timely direct ack is evidence of our own health.
      awareness.apply(probe.indirectSent ? 0 : -1);
      probe = null;
      return;
    }
    Relays.Relay relay = relays.answer(a.seq(), a.source());
    if (relay != null) {
      Ack relayed = new Ack(relay.requesterSeq, a.source(), List.of());
      send(relay.requester, new Ack(relay.requesterSeq, a.source(), gossip(relayed, null)),
          Channel.DATAGRAM);
      return;
    }
    metrics.inc(Counter.PACKETS_DROPPED); // late or unknown
  }

  private void onNack(Nack n) {
    if (probe != null && probe.seq == n.seq()) {
      probe.nacks++;
      metrics.inc(Counter.NACKS);
    } else {
      metrics.inc(Counter.PACKETS_DROPPED);
    }
  }

  private void onPingReq(Endpoint from, PingReq r, long nowNanos) {
    mergeGossip(r.gossip(), r.source(), nowNanos);
    if (r.target().equals(self) || relays.full()) {
      metrics.inc(Counter.PACKETS_DROPPED);
      return;
    }
    long seq = nextSeq();
    long nackAt = nowNanos + config.probeTimeoutNanos() * 8 / 10;
    relays.add(seq, new Relays.Relay(from, r.seq(), r.target(), nackAt));
    Ping ping = new Ping(seq, self, r.target(), List.of());
    send(r.targetAddress(), new Ping(seq, self, r.target(), gossip(ping, null)),
        Channel.DATAGRAM);
  }

  private void onPushPull(Endpoint from, PushPull pp, long nowNanos) {
    mergeState(pp.members(), pp.source(), nowNanos);
    if (!pp.reply()) {
      send(from, new PushPull(self, false, true, table.all()), Channel.STREAM);
    }
  }

  // ---------------------------------------------------------------- probing

  private void advanceProbe(long nowNanos) {
    if (probe != null && !probe.indirectSent && nowNanos >= probe.timeoutNanos) {
      sendIndirectProbes();
    }
    if (probe != null && nowNanos >= probe.endNanos) {
      probeFailed(nowNanos);
    }
    if (probe == null && nowNanos >= nextProbeNanos) {
      startProbe(nowNanos);
    }
  }

  private void startProbe(long nowNanos) {
    nextProbeNanos = nowNanos + awareness.scale(config.probeIntervalNanos());
    MemberUpdate target = nextProbeTarget();
    if (target == null) {
      return;
    }
    long seq = nextSeq();
    probe = new Probe(seq, target.id(), target.address(),
        nowNanos + awareness.scale(config.probeTimeoutNanos()), nextProbeNanos);
    metrics.inc(Counter.PROBES);
    // Lifeguard: a suspect is told first that it is suspected, so it can refute at once.
    MemberUpdate first = target.status() == MemberStatus.SUSPECT ? target : null;
    Ping ping = new Ping(seq, self, target.id(), List.of());
    send(target.address(), new Ping(seq, self, target.id(), gossip(ping, first)),
        Channel.DATAGRAM);
  }

  /** Round-robin over a shuffled list of live members (SWIM §4.3). */
  private MemberUpdate nextProbeTarget() {
    for (int pass = 0; pass < 2; pass++) {
      while (schedule.hasNext()) {
        MemberUpdate u = table.get(schedule.next());
        if (u != null && MemberTable.isLive(u.status()) && !u.id().equals(self)) {
          return u;
        }
      }
      List<NodeId> live = new ArrayList<>();
      for (MemberUpdate u : liveOthers(true)) {
        live.add(u.id());
      }
      schedule.reshuffle(live);
    }
    return null;
  }

  private void sendIndirectProbes() {
    probe.indirectSent = true;
    List<MemberUpdate> helpers = new ArrayList<>();
    for (MemberUpdate u : liveOthers(false)) {
      if (u.status() == MemberStatus.ALIVE && !u.id().equals(probe.target)) {
        helpers.add(u);
      }
    }
    int k = Math.min(config.indirectChecks(), helpers.size());
    Shuffle.pickFirst(helpers, k, random);
    for (int i = 0; i < k; i++) {
      PingReq req = new PingReq(probe.seq, self, probe.target, probe.address, List.of());
      send(helpers.get(i).address(),
          new PingReq(probe.seq, self, probe.target, probe.address, gossip(req, null)),
          Channel.DATAGRAM);
      metrics.inc(Counter.PING_REQS);
    }
    probe.expectedNacks = k;
    // TCP fallback beside the indirect probes: a UDP-only failure does not kill a member.
    send(probe.address, new Ping(probe.seq | STREAM_SEQ_BIT, self, probe.target, List.of()),
        Channel.STREAM);
    metrics.inc(Counter.STREAM_PROBES);
  }

  private void probeFailed(long nowNanos) {
    Probe p = probe;
    probe = null;
    metrics.inc(Counter.PROBES_FAILED);
    // Lifeguard: missing nacks mean our own links are bad; without helpers, blame ourselves a bit.
    awareness.apply(p.awarenessPenalty());
    MemberUpdate cur = table.get(p.target);
    if (cur != null && cur.status() == MemberStatus.ALIVE) {
      metrics.inc(Counter.SUSPICIONS_RAISED);
      handleUpdate(withStatus(cur, MemberStatus.SUSPECT), self, nowNanos);
    } else if (cur != null && cur.status() == MemberStatus.SUSPECT) {
      suspicions.confirm(cur.id(), self);
    }
  }

  // ---------------------------------------------------------------- timers

  private void onStall(long stallNanos) {
    metrics.inc(Counter.PAUSES);
    // The stall is our fault: raise our own health multiplier and push every deadline back, so
    // acks, nacks and refutations that queued up meanwhile are read before anyone is accused.
    awareness.apply(1 + (int) Math.min(3, stallNanos / config.probeIntervalNanos()));
    if (probe != null) {
      probe.postpone(stallNanos);
    }
    nextProbeNanos += stallNanos;
    suspicions.postpone(stallNanos);
    relays.postpone(stallNanos);
  }

  private void expireSuspicions(long nowNanos) {
    for (SuspicionTracker.Suspicion s : suspicions.expired(nowNanos)) {
      MemberUpdate cur = table.get(s.suspect);
      if (cur != null && cur.status() == MemberStatus.SUSPECT
          && cur.incarnation() == s.incarnation) {
        metrics.inc(Counter.DEATHS_DECLARED);
        handleUpdate(withStatus(cur, MemberStatus.DEAD), self, nowNanos);
      }
    }
  }

  private void expireRelays(long nowNanos) {
    for (Relays.Relay r : relays.expired(nowNanos)) {
      send(r.requester, new Nack(r.requesterSeq, self), Channel.DATAGRAM);
    }
  }

  private void gossipRound(long nowNanos) {
    if (queue.size() == 0) {
      return; // nothing to say: a gossip round costs no traffic in a quiet cluster
    }
    List<MemberUpdate> targets = new ArrayList<>();
    for (MemberUpdate u : table.all()) {
      if (u.id().equals(self)) {
        continue;
      }
      boolean recentlyDead = !MemberTable.isLive(u.status())
          && nowNanos - table.changedAt(u.id()) < config.gossipToDeadNanos();
      if (MemberTable.isLive(u.status()) || recentlyDead) {
        targets.add(u);
      }
    }
    int fanout = Math.min(config.gossipNodes(), targets.size());
    Shuffle.pickFirst(targets, fanout, random);
    for (int i = 0; i < fanout; i++) {
      List<MemberUpdate> updates = gossip(new Ack(0, self, List.of()), null);
      if (updates.isEmpty()) {
        return;
      }
      send(targets.get(i).address(), new Ack(0, self, updates), Channel.DATAGRAM);
    }
  }

  private void pushPull() {
    List<MemberUpdate> candidates = new ArrayList<>();
    for (MemberUpdate u : liveOthers(false)) {
      if (u.status() == MemberStatus.ALIVE) {
        candidates.add(u);
      }
    }
    if (candidates.isEmpty()) {
      return;
    }
    MemberUpdate peer = candidates.get(random.nextInt(candidates.size()));
    metrics.inc(Counter.PUSH_PULLS);
    send(peer.address(), new PushPull(self, false, false, table.all()), Channel.STREAM);
  }

  /** memberlist's pushPullScale: beyond 32 members, back off logarithmically. */
  long pushPullIntervalNanos(int n) {
    long base = config.pushPullIntervalNanos();
    if (n <= 32) {
      return base;
    }
    double mult = Math.ceil(Math.log(n) / Math.log(2) - 5) + 1;
    return (long) (base * mult);
  }

  /** Seeds are contacted again, with backoff, as long as any of them is not a live member. */
  private void retrySeeds(long nowNanos) {
    List<Endpoint> pending = new ArrayList<>();
    for (Endpoint seed : seeds) {
      if (!isLiveAddress(seed)) {
        pending.add(seed);
      }
    }
    if (pending.isEmpty()) {
      seedBackoffNanos = config.joinRetryMinNanos();
      nextSeedNanos = nowNanos + config.joinRetryMaxNanos();
      return;
    }
    for (Endpoint seed : pending) {
      send(seed, new PushPull(self, true, false, table.all()), Channel.STREAM);
    }
    seedBackoffNanos = Math.min(config.joinRetryMaxNanos(), seedBackoffNanos * 2);
    nextSeedNanos = nowNanos + jitter(seedBackoffNanos);
  }

  private boolean isLiveAddress(Endpoint address) {
    for (MemberUpdate u : table.all()) {
      if (!u.id().equals(self) && u.address().equals(address)
          && MemberTable.isLive(u.status())) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- state merging

  private void mergeGossip(List<MemberUpdate> updates, NodeId sender, long nowNanos) {
    for (MemberUpdate u : updates) {
      handleUpdate(u, sender, nowNanos);
    }
  }

  /**
   * Push-pull state: a remote "dead" is only a suspicion here (memberlist's mergeState), so one
   * node's stale verdict never kills a member we can still reach; it gets a chance to refute.
   */
  private void mergeState(List<MemberUpdate> remote, NodeId sender, long nowNanos) {
    for (MemberUpdate u : remote) {
      MemberUpdate v = u.status() == MemberStatus.DEAD && !u.id().equals(self)
          ? withStatus(u, MemberStatus.SUSPECT) : u;
      handleUpdate(v, sender, nowNanos);
    }
  }

  private void handleUpdate(MemberUpdate u, NodeId accuser, long nowNanos) {
    if (u.id().equals(self)) {
      refuteIfNeeded(u, nowNanos);
      return;
    }
    MemberTable.Applied res = table.apply(u, nowNanos);
    switch (res.change()) {
      case NONE:
        if (res.after() != null && res.after() != res.before()) {
          queue.enqueue(res.after()); // newer incarnation, same status: keep spreading it
        } else if (res.before() != null && res.before().status() == MemberStatus.SUSPECT
            && u.status() == MemberStatus.SUSPECT
            && u.incarnation() == res.before().incarnation()) {
          // Lifeguard LHA-Suspicion: another member vouches for the suspicion.
          suspicions.confirm(u.id(), accuser);
        }
        return;
      case JOINED:
        suspicions.cancel(u.id());
        insertIntoProbeOrder(u.id());
        break;
      case SUSPECTED:
        startSuspicion(u, accuser, nowNanos);
        break;
      case ALIVE:
        suspicions.cancel(u.id());
        metrics.inc(Counter.SUSPICIONS_REFUTED);
        break;
      case FAILED:
      case LEFT:
        suspicions.cancel(u.id());
        break;
      case UPDATED:
        break;
      default:
        throw new IllegalStateException(String.valueOf(res.change()));
    }
    queue.enqueue(res.after());
    emit(res.change(), res.after());
    if ((res.change() == MemberTable.Change.FAILED || res.change() == MemberTable.Change.LEFT)
        && table.hasLiveSuccessor(res.after())) {
      table.remove(res.after()); // a new process already took its name or address
    }
  }

  private void startSuspicion(MemberUpdate u, NodeId accuser, long nowNanos) {
    int n = table.liveCount();
    long min = SuspicionTracker.minTimeoutNanos(
        config.suspicionMult(), n, config.probeIntervalNanos());
    long max = min * config.suspicionMaxTimeoutMult();
    int k = Math.max(0, config.suspicionMult() - 2);
    suspicions.start(u.id(), u.incarnation(), accuser, nowNanos, min, max, k);
  }

  /** SWIM §4.2: a member that hears it is suspected (or declared dead) raises its incarnation. */
  private void refuteIfNeeded(MemberUpdate u, long nowNanos) {
    if (leaving) {
      return;
    }
    boolean accusation = u.status() != MemberStatus.ALIVE && u.incarnation() >= incarnation;
    boolean conflicting = u.status() == MemberStatus.ALIVE
        && (u.incarnation() > incarnation || (u.incarnation() == incarnation
            && (!u.metadata().equals(metadata) || !u.address().equals(selfAddress))));
    if (!accusation && !conflicting) {
      return;
    }
    incarnation = u.incarnation() + 1;
    MemberUpdate me = selfUpdate(MemberStatus.ALIVE);
    table.put(me, nowNanos);
    queue.enqueue(me);
    if (accusation) {
      metrics.inc(Counter.SELF_REFUTATIONS);
      awareness.apply(1); // Lifeguard: being suspected hints that we are the slow one
    }
  }

  private void emit(MemberTable.Change change, MemberUpdate u) {
    if (change.eventType != null) {
      outbox.event(new MembershipEvent(change.eventType, MemberTable.toMember(u)));
    }
  }

  // ---------------------------------------------------------------- helpers

  private List<MemberUpdate> gossip(Message withoutGossip, MemberUpdate first) {
    int budget = config.maxDatagramBytes() - WireSize.of(withoutGossip);
    return queue.take(budget, Math.max(1, table.liveCount()), first);
  }

  private void send(Endpoint to, Message m, Channel channel) {
    metrics.inc(Counter.PACKETS_OUT);
    metrics.add(Counter.BYTES_OUT, WireSize.of(m));
    outbox.send(to, m, channel);
  }

  private MemberUpdate selfUpdate(MemberStatus status) {
    return new MemberUpdate(self, selfAddress, status, incarnation, metadata);
  }

  private static MemberUpdate withStatus(MemberUpdate u, MemberStatus status) {
    return new MemberUpdate(u.id(), u.address(), status, u.incarnation(), u.metadata());
  }

  /** Live members other than this node, in identity order (optionally suspects too). */
  private List<MemberUpdate> liveOthers(boolean includeSuspects) {
    List<MemberUpdate> out = new ArrayList<>();
    for (MemberUpdate u : table.all()) {
      if (!u.id().equals(self) && (u.status() == MemberStatus.ALIVE
          || (includeSuspects && u.status() == MemberStatus.SUSPECT))) {
        out.add(u);
      }
    }
    return out;
  }

  private void insertIntoProbeOrder(NodeId id) {
    schedule.insert(id);
  }

  private long nextSeq() {
    long s = nextSeq++;
    if (nextSeq >= STREAM_SEQ_BIT) {
      nextSeq = 1;
    }
    return s;
  }

  /** Uniform in [d/2, d]: spreads timers of nodes started together. */
  private long jitter(long d) {
    return d / 2 + (long) (random.nextDouble() * (d - d / 2));
  }

}
