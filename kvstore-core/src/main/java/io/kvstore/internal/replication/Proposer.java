package io.kvstore.internal.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.ReplicaSet;
import io.kvstore.internal.replication.ReplicationConfig.Mutation;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.Accepted;
import io.kvstore.spi.message.Ballot;
import io.kvstore.spi.message.Cell;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Promise;
import io.kvstore.spi.message.Purge;
import io.kvstore.spi.message.Read;
import io.kvstore.spi.message.ReadReply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The CASPaxos proposer role of one node. <b>Thread-unsafe</b>: confined to the node's loop; time
 * comes in as arguments, randomness from the injected generator, and every effect goes out through
 * {@link Effects}.
 *
 * <p>Per key, operations run one at a time in arrival order. Each runs rounds until it is decided:
 *
 * <ul>
 *   <li>reads first ask a quorum for their accepted (ballot, value); if all answers agree, that
 *       value is on a quorum, so it is chosen and returned (one round trip). Otherwise a full round
 *       writes the highest value back before returning it.
 *   <li>writes prepare a ballot on a quorum, apply the change function to the highest accepted
 *       value, and have a quorum accept the result. Each accept also asks for a promise of the
 *       proposer's next ballot, so the next write of the key from here skips the prepare. That
 *       cached ballot is used at most once and dropped on anything but a quorum success.
 *   <li>once an accept carrying a new value has left, the operation can no longer fail definitely,
 *       even if every replica refused it (a refusal may answer a duplicate of an accept that was
 *       taken): a later round either finds the value (it was applied) or decides afresh when the
 *       versions show that none of its attempts was chosen, or the operation ends as unknown.
 * </ul>
 */
public final class Proposer {
  /** Where the proposer's effects go. */
  public interface Effects {
    /** Sends a message to a replica. */
    void send(NodeId to, Message message);

    /** Completes an operation. */
    void complete(long opId, ProposalResult result);

    /**
     * Takes {@code accept}, addressed to this node, on this node's own acceptor now, and returns
     * the acceptor's answer; or returns null, and the accept goes out as a message like any other.
     * Asked before an accept goes to the other replicas, when this node is one of them and not a
     * quorum alone.
     */
    default Accepted acceptHere(Accept accept) {
      return null;
    }
  }

  private enum Phase {
    QUEUED,
    READ,
    PREPARE,
    ACCEPT,
    BACKOFF
  }

  /** Rounds a purge may lose to competing ballots before it yields. */
  private static final int PURGE_ATTEMPTS = 3;

  private final NodeId self;
  private final List<NodeId> selfOnly;
  private final ReplicationConfig config;
  private final RandomGenerator random;
  private final Effects effects;
  /**
   * Per key: its operations (the head runs, the rest wait) and its cached ballot. One map, so an
   * operation looks its key up once; an entry lives while either part is there.
   */
  private final Map<String, KeyState> keys = new HashMap<>();
  private final Map<Long, Op> byRound = new HashMap<>();
  /** Running operations in start order (deterministic iteration for timeouts). */
  private final LinkedHashMap<Long, Op> running = new LinkedHashMap<>();
  private long counter;
  private long nextRoundId;
  /** The configuration epoch rounds run under; replicas of a newer epoch refuse them. */
  private long epoch;
  /** Where a key's replicas are under the installed configuration. */
  private Function<String, ReplicaSet> placement = k -> ReplicaSet.of(List.of());
  private long fastReads;
  private long thriftyReads;
  private long hedgedReads;
  /** Replicas that look down or unreachable: a thrifty read leaves them out of its first ask. */
  private java.util.function.Predicate<NodeId> suspect = n -> false;
  private long onePhaseWrites;
  private long answersSent;

  /** The next ballot a quorum has promised us for a key, and the value it accepted. */
  private record Cached(Ballot ballot, Cell cell, long versionFloor) {}

  private static final class KeyState {
    final ArrayDeque<Op> queue = new ArrayDeque<>(2);
    /** Used at most once, and dropped on anything but a quorum success; null when none. */
    Cached cached;
  }

  private static final class Op {
    final long opId;
    final String key;
    final KeyState state;
    final Command command;
    /** The replica that forwarded this write and waits to answer its client, or null. */
    NodeId answerer;
    /** The replicas of the current round: taken from the placement when each round starts. */
    ReplicaSet replicas;
    /** Replicas given explicitly (system registers), or null to follow the placement. */
    final ReplicaSet fixed;
    /** The epoch installed when the operation was submitted. */
    final long startEpoch;
    final long deadlineNanos;
    Phase phase = Phase.QUEUED;
    long roundId;
    long roundDeadlineNanos;
    /** A thrifty read: the replicas it asked (bits of {@code replicas.all()}), and when it asks the rest; 0 otherwise. */
    long askedMask;
    long hedgeAtNanos;
    long backoffUntilNanos;
    Ballot ballot;
    /** The value this operation's current accept carries (ours or a write-back). */
    Cell proposed;
    /** Whether {@link #proposed} is a new value of this operation (not a write-back). */
    boolean proposedIsOurs;
    /** Some accept of our new value may have been taken: the outcome is no longer definite. */
    boolean ambiguous;
    /** What the client is told if the current accept succeeds. */
    Outcome planned;
    /** Every new value this operation sent in an accept, with the outcome it stands for. */
    final List<Cell> attempts = new ArrayList<>();
    final List<Outcome> attemptOutcomes = new ArrayList<>();
    long maxAttemptVersion;
    long minAttemptVersion;
    /** Rounds lost to competing ballots (timeouts do not count: the deadline bounds those). */
    int contentions;
    /** The highest version floor the replicas reported for this key (purged keys). */
    long versionFloor;
    final Map<NodeId, Promise> promises = new LinkedHashMap<>();
    final Map<NodeId, ReadReply> reads = new LinkedHashMap<>();
    final java.util.Set<NodeId> replied = new java.util.LinkedHashSet<>();
    final java.util.Set<NodeId> refused = new java.util.LinkedHashSet<>();
    final java.util.Set<NodeId> acceptedBy = new java.util.LinkedHashSet<>();
    Ballot highestSeen = Ballot.ZERO;

    Op(long opId, String key, KeyState state, Command command, ReplicaSet fixed, long startEpoch, long deadline) {
      this.opId = opId;
      this.key = key;
      this.state = state;
      this.command = command;
      this.fixed = fixed;
      this.startEpoch = startEpoch;
      this.deadlineNanos = deadline;
    }
  }

  /** Creates the proposer of node {@code self}. */
  public Proposer(NodeId self, ReplicationConfig config, RandomGenerator random, Effects effects) {
    this.self = Objects.requireNonNull(self, "self");
    this.selfOnly = List.of(self);
    this.config = Objects.requireNonNull(config, "config");
    this.random = Objects.requireNonNull(random, "random");
    this.effects = Objects.requireNonNull(effects, "effects");
  }

  /**
   * Installs a configuration: its epoch, which every round carries from now on, and where keys'
   * replicas are. Cached ballots are dropped, and rounds in flight start over under the new
   * configuration (a round of an older epoch would be refused by replicas that installed this one).
   */
  public void configure(long newEpoch, Function<String, ReplicaSet> newPlacement, long nowNanos, long wallMillis) {
    this.epoch = newEpoch;
    this.placement = Objects.requireNonNull(newPlacement, "placement");
    dropCachedBallots();
    for (Op op : new ArrayList<>(running.values())) {
      if (op.phase == Phase.READ || op.phase == Phase.PREPARE || op.phase == Phase.ACCEPT) {
        onRoundTimeout(op, nowNanos, wallMillis);
      }
    }
  }

  /** The epoch rounds run under. */
  public long epoch() {
    return epoch;
  }

  /**
   * Starts an operation on the key's replicas under the installed configuration.
   *
   * @param opId the operation's id, unique cluster-wide (it is stored with the value it writes)
   * @param key the key
   * @param command what to do
   * @param deadlineNanos when the operation gives up
   */
  public void submit(long opId, String key, Command command, long deadlineNanos, long nowNanos, long wallMillis) {
    submit(opId, key, command, null, deadlineNanos, nowNanos, wallMillis);
  }

  /**
   * Starts an operation on explicit replicas (system registers), or on the placement's if {@code
   * replicas} is null.
   */
  public void submit(
      long opId, String key, Command command, ReplicaSet replicas, long deadlineNanos, long nowNanos, long wallMillis) {
    start(opId, key, command, replicas, null, deadlineNanos, nowNanos, wallMillis);
  }

  /**
   * Starts a write that replica {@code answerer} forwarded here. When this node and the answerer
   * make a quorum of the key's replicas, the accepts of the write's new value that go to the
   * answerer carry the outcome (this node has taken them first): once the answerer takes one too,
   * the value is chosen, and the answerer tells its client without waiting for this node's reply.
   */
  public void submitForwarded(
      long opId, String key, Command command, NodeId answerer, long deadlineNanos, long nowNanos, long wallMillis) {
    start(opId, key, command, null, Objects.requireNonNull(answerer, "answerer"), deadlineNanos, nowNanos, wallMillis);
  }

  private void start(long opId, String key, Command command, ReplicaSet replicas, NodeId answerer,
      long deadlineNanos, long nowNanos, long wallMillis) {
    ReplicaSet first = replicas != null ? replicas : placement.apply(key);
    if (first.current().isEmpty()) {
      effects.complete(opId, new ProposalResult.Unavailable("no replicas for key"));
      return;
    }
    KeyState state = keys.computeIfAbsent(key, k -> new KeyState());
    Op op = new Op(opId, key, state, command, replicas, epoch, deadlineNanos);
    op.replicas = first;
    op.answerer = answerer;
    ArrayDeque<Op> q = op.state.queue;
    q.addLast(op);
    if (q.size() == 1) {
      begin(op, nowNanos, wallMillis);
    }
  }

  /** Handles a replica's answer; other messages are ignored. */
  public void onMessage(Message m, long nowNanos, long wallMillis) {
    if (m instanceof Promise p) {
      onPromise(p, nowNanos, wallMillis);
    } else if (m instanceof Accepted a) {
      onAccepted(a, nowNanos, wallMillis);
    } else if (m instanceof ReadReply r) {
      onReadReply(r, nowNanos, wallMillis);
    }
  }

  /** Advances timers: round timeouts, backoffs and deadlines. */
  public void tick(long nowNanos, long wallMillis) {
    if (running.isEmpty()) {
      return;
    }
    expireQueued(nowNanos);
    for (Op op : new ArrayList<>(running.values())) {
      if (nowNanos - op.deadlineNanos >= 0) {
        finishTimedOut(op, nowNanos, wallMillis);
      } else if (op.phase == Phase.READ && op.hedgeAtNanos != 0 && nowNanos - op.hedgeAtNanos >= 0
          && nowNanos - op.roundDeadlineNanos < 0) {
        hedgeRead(op);
      } else if (op.phase == Phase.BACKOFF) {
        if (nowNanos - op.backoffUntilNanos >= 0) {
          startPrepare(op, nowNanos);
        }
      } else if (nowNanos - op.roundDeadlineNanos >= 0) {
        onRoundTimeout(op, nowNanos, wallMillis);
      }
    }
  }

  /** Fails queued (not yet started) operations whose deadline passed: nothing was sent for them. */
  private void expireQueued(long nowNanos) {
    // Every non-empty queue's head is running: look at those keys only, not every cached one.
    List<ArrayDeque<Op>> waiting = null;
    for (Op head : running.values()) {
      if (head.state.queue.size() > 1) {
        if (waiting == null) {
          waiting = new ArrayList<>();
        }
        waiting.add(head.state.queue);
      }
    }
    if (waiting == null) {
      return;
    }
    for (ArrayDeque<Op> q : waiting) {
      var it = q.iterator();
      it.next(); // the head is running
      while (it.hasNext()) {
        Op op = it.next();
        if (nowNanos - op.deadlineNanos >= 0) {
          it.remove();
          effects.complete(op.opId, new ProposalResult.Unavailable("deadline passed while queued"));
        }
      }
    }
  }

  /** Operations not yet completed (queued included). */
  public int pending() {
    int n = 0;
    for (Op head : running.values()) {
      n += head.state.queue.size();
    }
    return n;
  }

  /** How many reads were answered by the one-round-trip path. */
  public long fastReads() {
    return fastReads;
  }

  /** How many fast reads first asked only a majority of the replicas. */
  public long thriftyReads() {
    return thriftyReads;
  }

  /** How many of those asked the other replicas after the hedge delay. */
  public long hedgedReads() {
    return hedgedReads;
  }

  /** Sets which replicas look down or unreachable (thrifty reads do not count on them). */
  public void setSuspect(java.util.function.Predicate<NodeId> isSuspect) {
    this.suspect = Objects.requireNonNull(isSuspect, "isSuspect");
  }

  /** How many writes skipped the prepare phase. */
  public long onePhaseWrites() {
    return onePhaseWrites;
  }

  /** How many accepts carried an answer for the replica that forwarded their write. */
  public long answersSent() {
    return answersSent;
  }

  /** Forgets every cached ballot (on a configuration change, or after this node was suspected). */
  public void dropCachedBallots() {
    for (var it = keys.values().iterator(); it.hasNext(); ) {
      KeyState state = it.next();
      state.cached = null;
      if (state.queue.isEmpty()) {
        it.remove();
      }
    }
  }

  // ---- phases ------------------------------------------------------------------------------

  private boolean isPurge(Op op) {
    return op.command.kind() == Command.Kind.PURGE;
  }

  private void begin(Op op, long nowNanos, long wallMillis) {
    running.put(op.opId, op);
    refreshReplicas(op);
    if (isPurge(op)) {
      op.state.cached = null;
      startPrepare(op, nowNanos);
      return;
    }
    if (op.command.kind().isRead() && config.fastReads()) {
      startRead(op, nowNanos);
      return;
    }
    Cached c = config.onePhaseWrites() ? op.state.cached : null;
    op.state.cached = null;
    if (c != null && !op.command.kind().isRead()) {
      if (config.mutation() == Mutation.KEEP_CACHED_BALLOT_AFTER_FAILURE) {
        op.state.cached = c;
      }
      onePhaseWrites++;
      op.ballot = c.ballot();
      op.versionFloor = c.versionFloor(); // the floor learned with the cached value
      proposeOver(op, c.cell(), nowNanos, wallMillis);
      return;
    }
    startPrepare(op, nowNanos);
  }

  /**
   * The epoch a round of {@code op} carries: the installed one, except that an operation on
   * explicit replicas keeps the epoch it was submitted under, as it keeps its replicas. So an
   * operation a node started before it held a configuration (probing or writing the first one)
   * stays formation traffic, which nodes holding a configuration refuse, even if this node learns
   * a configuration meanwhile and its rounds start over.
   */
  private long epochOf(Op op) {
    return op.fixed != null ? op.startEpoch : epoch;
  }

  private void refreshReplicas(Op op) {
    op.replicas = op.fixed != null ? op.fixed : placement.apply(op.key);
  }

  private int quorum(int n) {
    return config.quorum(n);
  }

  private long newRound(Op op, Phase phase, long nowNanos) {
    byRound.remove(op.roundId);
    op.roundId = ++nextRoundId;
    op.phase = phase;
    op.askedMask = 0;
    op.hedgeAtNanos = 0;
    op.roundDeadlineNanos = nowNanos + config.roundTimeoutNanos();
    op.promises.clear();
    op.reads.clear();
    op.replied.clear();
    op.refused.clear();
    op.acceptedBy.clear();
    byRound.put(op.roundId, op);
    return op.roundId;
  }

  /**
   * A fast read asks the fewest replicas that make a majority (itself first, then live ones, in a
   * rotation), half the messages of asking all; the answers are judged exactly as before, so
   * safety does not depend on who was asked. If no quorum answered after the hedge delay, or the
   * set is joint, or too few look live, every replica is asked.
   */
  private void startRead(Op op, long nowNanos) {
    refreshReplicas(op);
    long round = newRound(op, Phase.READ, nowNanos);
    List<NodeId> all = op.replicas.all();
    int n = all.size();
    op.askedMask = 0;
    op.hedgeAtNanos = 0;
    if (config.readHedgeNanos() > 0 && !op.replicas.joint() && n <= 64) {
      int need = quorum(n);
      long mask = 0;
      int asked = 0;
      int mine = all.indexOf(self);
      if (mine >= 0) {
        mask |= 1L << mine;
        asked++;
      }
      int start = (int) Math.floorMod(op.opId, (long) n);
      for (int i = 0; i < n && asked < need; i++) {
        int j = (start + i) % n;
        if ((mask & (1L << j)) == 0 && !suspect.test(all.get(j))) {
          mask |= 1L << j;
          asked++;
        }
      }
      if (asked >= need) {
        op.askedMask = mask;
        op.hedgeAtNanos = nowNanos + config.readHedgeNanos();
        for (int j = 0; j < n; j++) {
          if ((mask & (1L << j)) != 0) {
            effects.send(all.get(j), new Read(round, self, all.get(j), op.key, epochOf(op)));
          }
        }
        thriftyReads++;
        return;
      }
    }
    for (NodeId r : all) {
      effects.send(r, new Read(round, self, r, op.key, epochOf(op)));
    }
  }

  /** A thrifty read whose first quorum did not answer in time asks the replicas it left out. */
  private void hedgeRead(Op op) {
    List<NodeId> all = op.replicas.all();
    long mask = op.askedMask;
    op.askedMask = 0;
    op.hedgeAtNanos = 0;
    hedgedReads++;
    for (int j = 0; j < all.size(); j++) {
      if ((mask & (1L << j)) == 0) {
        effects.send(all.get(j), new Read(op.roundId, self, all.get(j), op.key, epochOf(op)));
      }
    }
  }

  private void startPrepare(Op op, long nowNanos) {
    counter = Math.max(counter, op.highestSeen.counter()) + 1;
    op.ballot = new Ballot(counter, self);
    refreshReplicas(op);
    long round = newRound(op, Phase.PREPARE, nowNanos);
    for (NodeId r : op.replicas.all()) {
      effects.send(r, new Prepare(round, self, r, op.key, op.ballot, epochOf(op)));
    }
  }

  private void startAccept(Op op, Cell cell, boolean ours, long nowNanos, long wallMillis) {
    op.proposed = cell;
    op.proposedIsOurs = ours;
    if (ours) {
      op.attempts.add(cell);
      op.attemptOutcomes.add(op.planned);
      op.maxAttemptVersion = Math.max(op.maxAttemptVersion, cell.version());
      op.minAttemptVersion = op.minAttemptVersion == 0
          ? cell.version() : Math.min(op.minAttemptVersion, cell.version());
    }
    long round = newRound(op, Phase.ACCEPT, nowNanos);
    Ballot next = config.onePhaseWrites() && !isPurge(op) ? op.ballot.next(self) : null;
    Accepted here = null;
    Accept.Answer answer = null;
    if (!isPurge(op) && op.replicas.contains(self) && !op.replicas.isQuorum(selfOnly, this::quorum)) {
      // Take our own accept before the others leave, in this step rather than through the loop:
      // then an answerer taking its copy knows that a quorum (it and us) holds the value under
      // this ballot, which makes it chosen.
      here = effects.acceptHere(new Accept(round, self, self, op.key, op.ballot, cell, next, epochOf(op)));
      if (here != null && ours && answerable(op)
          && (here.ok() || config.mutation() == Mutation.ANSWER_WITHOUT_OWN_ACCEPT)) {
        answer = new Accept.Answer(op.opId, op.planned.applied(), op.planned.version());
        answersSent++;
      }
    }
    for (NodeId r : op.replicas.all()) {
      if (here != null && r.equals(self)) {
        continue;
      }
      effects.send(r, new Accept(round, self, r, op.key, op.ballot, cell, next, epochOf(op),
          answer != null && r.equals(op.answerer) ? answer : null));
    }
    if (here != null) {
      if (here.ok()) {
        onAccepted(here, nowNanos, wallMillis); // one accept is not a quorum here: this cannot finish
      } else {
        effects.send(self, here); // a refusal may end the round: handle it in a later step
      }
    }
  }

  /**
   * Whether an accept of {@code op}, already taken here (so this node is a replica and not a quorum
   * alone), may carry its answer: a forwarded write whose answerer is another replica that makes a
   * quorum with this node (joint sets included).
   */
  private boolean answerable(Op op) {
    NodeId a = op.answerer;
    return a != null && !a.equals(self) && op.planned != null && op.replicas.contains(a)
        && op.replicas.isQuorum(List.of(self, a), this::quorum);
  }

  // ---- replies -----------------------------------------------------------------------------

  private Op current(long roundId, Phase phase) {
    Op op = byRound.get(roundId);
    return op != null && op.phase == phase ? op : null;
  }

  private void onReadReply(ReadReply r, long nowNanos, long wallMillis) {
    Op op = current(r.roundId(), Phase.READ);
    if (op == null || !op.replicas.contains(r.source()) || !op.replied.add(r.source())) {
      return;
    }
    op.reads.put(r.source(), r);
    if (!op.replicas.isQuorum(op.reads.keySet(), this::quorum)) {
      return;
    }
    ReadReply first = op.reads.values().iterator().next();
    boolean agree = true;
    ReadReply highest = first;
    for (ReadReply x : op.reads.values()) {
      boolean sameValue =
          config.mutation() == Mutation.FAST_READ_IGNORES_VALUES || Objects.equals(x.cell(), first.cell());
      agree &= x.accepted().equals(first.accepted()) && sameValue;
      if (x.accepted().greaterThan(highest.accepted())) {
        highest = x;
      }
    }
    if (agree || config.mutation() == Mutation.READ_WITHOUT_WRITE_BACK) {
      fastReads++;
      Cell cell = agree ? first.cell() : highest.cell();
      finish(op, new ProposalResult.Done(RegisterFunction.apply(cell, op.command, wallMillis, op.opId).outcome()), nowNanos, wallMillis);
    } else {
      startPrepare(op, nowNanos);
    }
  }

  private void onPromise(Promise p, long nowNanos, long wallMillis) {
    Op op = current(p.roundId(), Phase.PREPARE);
    if (op == null || !op.replicas.contains(p.source()) || !op.replied.add(p.source())) {
      return;
    }
    see(op, p.promised());
    see(op, p.accepted());
    if (!p.ok()) {
      op.refused.add(p.source());
      if (op.replicas.blockedBy(op.refused, this::quorum)) {
        preempted(op, nowNanos, wallMillis);
      }
      return;
    }
    op.promises.put(p.source(), p);
    op.versionFloor = Math.max(op.versionFloor, p.versionFloor());
    if (!op.replicas.isQuorum(op.promises.keySet(), this::quorum)) {
      return;
    }
    Promise highest = null;
    boolean agree = true;
    Promise first = op.promises.values().iterator().next();
    for (Promise x : op.promises.values()) {
      if (highest == null || x.accepted().greaterThan(highest.accepted())) {
        highest = x;
      }
      agree &= x.accepted().equals(first.accepted()) && Objects.equals(x.cell(), first.cell());
    }
    Cell current = highest.cell();
    if (op.ambiguous) {
      resolveAmbiguity(op, current, nowNanos, wallMillis);
      return;
    }
    proposeOver(op, current, agree, nowNanos, wallMillis);
  }

  /**
   * An earlier accept of this operation may sit on some replicas, so it may be chosen yet. Versions
   * tell what happened: every write gives the key its base version plus one, so the chosen values
   * of a key have strictly increasing versions. If the highest value in this quorum is one of ours,
   * it may be chosen: choose it for sure and report its outcome. If it is another value no newer
   * than our attempts, none of ours was chosen so far: decide afresh, and accept at this (higher)
   * ballot on a quorum before answering, which rules out our old attempts for good. If it is newer
   * than all our attempts, ours may have been chosen and then overwritten: the outcome is unknown.
   */
  private void resolveAmbiguity(Op op, Cell current, long nowNanos, long wallMillis) {
    for (int i = 0; i < op.attempts.size(); i++) {
      if (op.attempts.get(i).sameAs(current)) {
        op.planned = op.attemptOutcomes.get(i);
        startAccept(op, current, false, nowNanos, wallMillis);
        return;
      }
    }
    // A newer value means ours may have been chosen and overwritten. A version floor at or above
    // one of our attempts means the key was purged after a value of that version was chosen,
    // and that value may have been ours.
    if ((current != null && current.version() > op.maxAttemptVersion)
        || (op.minAttemptVersion > 0 && op.versionFloor >= op.minAttemptVersion)) {
      finish(op, new ProposalResult.Unknown("write may have been applied and then overwritten"), nowNanos, wallMillis);
      return;
    }
    RegisterFunction.Step step =
        RegisterFunction.apply(current, op.versionFloor, op.command, wallMillis, op.opId);
    op.planned = step.outcome();
    if (step.next() != null) {
      startAccept(op, step.next(), true, nowNanos, wallMillis);
    } else {
      // "Nothing here", at the key's version floor so that versions never go back.
      startAccept(op, current != null ? current : new Cell(null, op.versionFloor, 0, 0), false, nowNanos, wallMillis);
    }
  }

  private void proposeOver(Op op, Cell current, long nowNanos, long wallMillis) {
    proposeOver(op, current, false, nowNanos, wallMillis);
  }

  /** Applies the operation to the current value and starts the accept phase if needed. */
  private void proposeOver(Op op, Cell current, boolean chosen, long nowNanos, long wallMillis) {
    RegisterFunction.Step step =
        RegisterFunction.apply(current, op.versionFloor, op.command, wallMillis, op.opId);
    if (isPurge(op)) {
      op.planned = step.outcome();
      if (step.next() == null) {
        finish(op, new ProposalResult.Done(step.outcome()), nowNanos, wallMillis);
      } else {
        startAccept(op, step.next(), false, nowNanos, wallMillis);
      }
      return;
    }
    if (step.next() == null) {
      // Nothing to change. The answer is only safe if the value it rests on is chosen: it is when
      // a quorum agrees, or when nothing was accepted anywhere in the quorum. Else write it back.
      if (chosen || current == null) {
        finish(op, new ProposalResult.Done(step.outcome()), nowNanos, wallMillis);
      } else {
        op.planned = step.outcome();
        startAccept(op, current, false, nowNanos, wallMillis);
      }
      return;
    }
    op.planned = step.outcome();
    startAccept(op, step.next(), true, nowNanos, wallMillis);
  }

  private void onAccepted(Accepted a, long nowNanos, long wallMillis) {
    Op op = current(a.roundId(), Phase.ACCEPT);
    if (op == null || !op.replicas.contains(a.source()) || !op.replied.add(a.source())) {
      return;
    }
    see(op, a.promised());
    if (a.ok()) {
      op.acceptedBy.add(a.source());
      if (op.proposedIsOurs) {
        op.ambiguous = true;
      }
      if (isPurge(op)) {
        if (op.acceptedBy.size() == op.replicas.all().size()) {
          // Every replica holds the tombstone under this ballot: they may drop the key.
          for (NodeId r : op.replicas.all()) {
            effects.send(r, new Purge(self, r, op.key, op.ballot, epochOf(op)));
          }
          finish(op, new ProposalResult.Done(op.planned), nowNanos, wallMillis);
        }
        return;
      }
      if (op.replicas.isQuorum(op.acceptedBy, this::quorum)) {
        if (config.onePhaseWrites()) {
          Ballot next = op.ballot.next(self);
          counter = Math.max(counter, next.counter());
          op.state.cached = new Cached(next, op.proposed, op.versionFloor);
        }
        finish(op, new ProposalResult.Done(op.planned), nowNanos, wallMillis);
      }
      return;
    }
    op.refused.add(a.source());
    if (isPurge(op)) {
      preempted(op, nowNanos, wallMillis); // a purge needs every replica
    } else if (op.replicas.blockedBy(op.refused, this::quorum)) {
      if (op.proposedIsOurs) {
        // Some replicas may hold our value, even if every one refused: a refusal can answer a
        // duplicate of an accept that replica already took (taking it raised the promise to our
        // next ballot, or a competing prepare raised it since), and the reply to the one it took
        // may be lost or still on its way. A later round decides.
        op.ambiguous = true;
      }
      preempted(op, nowNanos, wallMillis);
    }
  }

  private void see(Op op, Ballot b) {
    if (b != null && b.greaterThan(op.highestSeen)) {
      op.highestSeen = b;
    }
    if (b != null && b.counter() > counter) {
      counter = b.counter(); // later operations start above every ballot seen (Lamport)
    }
  }

  // ---- retries, timeouts, completion ---------------------------------------------------------

  private void preempted(Op op, long nowNanos, long wallMillis) {
    if (isPurge(op) && op.contentions >= PURGE_ATTEMPTS) {
      // A purge is housekeeping: after a few tries it yields, and a later scan tries again.
      finish(op, new ProposalResult.Contention("purge preempted"), nowNanos, wallMillis);
      return;
    }
    if (config.mutation() != Mutation.KEEP_CACHED_BALLOT_AFTER_FAILURE) {
      op.state.cached = null;
    }
    if (++op.contentions >= config.maxAttempts()) {
      finish(
          op,
          op.ambiguous
              ? new ProposalResult.Unknown("preempted after a write may have been accepted")
              : new ProposalResult.Contention("preempted " + op.contentions + " times"),
          nowNanos,
          wallMillis);
      return;
    }
    byRound.remove(op.roundId);
    op.phase = Phase.BACKOFF;
    long span = config.backoffMaxNanos() - config.backoffMinNanos();
    long jitter = span <= 0 ? 0 : random.nextLong(span + 1);
    op.backoffUntilNanos = nowNanos + config.backoffMinNanos() + jitter;
  }

  private void onRoundTimeout(Op op, long nowNanos, long wallMillis) {
    if (isPurge(op)) {
      finish(op, new ProposalResult.Unavailable("purge round timed out"), nowNanos, wallMillis);
      return;
    }
    if (op.phase == Phase.ACCEPT && op.proposedIsOurs) {
      op.ambiguous = true; // the accept left; some replica may have taken it
    }
    if (op.phase == Phase.ACCEPT && config.mutation() != Mutation.KEEP_CACHED_BALLOT_AFTER_FAILURE) {
      op.state.cached = null;
    }
    if (op.phase == Phase.READ) {
      startPrepare(op, nowNanos);
      return;
    }
    // Lost messages, not a competing ballot: retry at once with a fresh ballot; the deadline
    // bounds the retries.
    startPrepare(op, nowNanos);
  }

  private void finishTimedOut(Op op, long nowNanos, long wallMillis) {
    if (config.mutation() != Mutation.KEEP_CACHED_BALLOT_AFTER_FAILURE) {
      op.state.cached = null;
    }
    boolean mayHaveApplied = op.ambiguous || (op.phase == Phase.ACCEPT && op.proposedIsOurs);
    finish(
        op,
        mayHaveApplied
            ? new ProposalResult.Unknown("deadline passed after the write was sent")
            : new ProposalResult.Unavailable("no quorum of replicas answered in time"),
        nowNanos,
        wallMillis);
  }

  private void finish(Op op, ProposalResult result, long nowNanos, long wallMillis) {
    byRound.remove(op.roundId);
    running.remove(op.opId);
    ArrayDeque<Op> q = op.state.queue;
    if (q.peekFirst() == op) {
      q.pollFirst();
    } else {
      q.remove(op);
    }
    if (q.isEmpty() && op.state.cached == null) {
      keys.remove(op.key, op.state);
    }
    effects.complete(op.opId, result);
    if (!q.isEmpty()) {
      begin(q.peekFirst(), nowNanos, wallMillis);
    }
  }
}
