package io.kvstore.internal.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.Accepted;
import io.kvstore.spi.message.ClientReply;
import io.kvstore.spi.message.ClientRequest;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A write forwarded to its coordinator is answered by the replica that forwarded it as soon as it
 * takes the coordinator's accept, when the two make a quorum; the coordinator then sends no reply,
 * and sends one whenever it cannot know that the forwarder answered. Messages are delivered by
 * hand, one at a time, so each step is explicit.
 */
final class ForwardedAnswerTest {
  private static final long SECOND = 1_000_000_000L;

  private record Envelope(NodeId from, NodeId to, Message message) {}

  private final List<NodeId> ids = new ArrayList<>();
  private final Map<NodeId, ReplicaCore> cores = new HashMap<>();
  private final List<Envelope> queue = new ArrayList<>();
  private final Map<Long, ProposalResult> results = new HashMap<>();
  private final List<Envelope> clientReplies = new ArrayList<>();
  private long now = SECOND;

  private void start(int nodes, int replicationFactor) {
    for (int i = 1; i <= nodes; i++) {
      ids.add(new NodeId("n" + i, 10 + i));
    }
    ClusterConfig config = new ClusterConfig(1, ids, replicationFactor, 4);
    for (NodeId id : ids) {
      ReplicaCore core = new ReplicaCore(id, ReplicationConfig.defaults(), new java.util.SplittableRandom(7),
          new Proposer.Effects() {
            @Override
            public void send(NodeId to, Message message) {
              queue.add(new Envelope(id, to, message));
              if (message instanceof ClientReply) {
                clientReplies.add(new Envelope(id, to, message));
              }
            }

            @Override
            public void complete(long opId, ProposalResult result) {
              assertThat(results.put(opId, result)).as("completed twice: %s", opId).isNull();
            }
          });
      core.configure(config);
      cores.put(id, core);
    }
  }

  /** Submits a put of {@code key} at a replica that is not its coordinator; returns that replica. */
  private NodeId forwardPut(long opId, String key) {
    List<NodeId> replicas = cores.get(ids.get(0)).replicasOf(key);
    NodeId forwarder = replicas.get(1); // the first is the coordinator while all are up
    cores.get(forwarder).submit(opId, key, Command.put("v".getBytes(StandardCharsets.UTF_8), 0),
        now + 5 * SECOND, now, now / 1_000_000);
    assertThat(queue).singleElement().matches(e -> e.message() instanceof ClientRequest
        && e.to().equals(replicas.get(0)));
    return forwarder;
  }

  /**
   * Delivers the forwarded request and the prepare phase, then takes the coordinator's accept to
   * {@code forwarder} off the queue and returns it.
   */
  private Envelope interceptAcceptTo(NodeId forwarder) {
    deliver(e -> e.message() instanceof ClientRequest);
    deliverAll(ForwardedAnswerTest::phaseOne);
    Envelope accept = queue.stream().filter(is(Accept.class, forwarder)).findFirst().orElseThrow();
    queue.remove(accept);
    return accept;
  }

  /** Delivers the first queued message that matches; fails if none does. */
  private Envelope deliver(Predicate<Envelope> which) {
    for (Iterator<Envelope> it = queue.iterator(); it.hasNext(); ) {
      Envelope e = it.next();
      if (which.test(e)) {
        it.remove();
        cores.get(e.to()).onMessage(e.message(), now, now / 1_000_000);
        return e;
      }
    }
    throw new AssertionError("nothing queued matches; queue: " + queue);
  }

  /** Delivers queued messages that match, also those they cause, until none is left. */
  private void deliverAll(Predicate<Envelope> which) {
    for (int guard = 0; guard < 1000; guard++) {
      if (queue.stream().noneMatch(which)) {
        return;
      }
      deliver(which);
    }
    throw new AssertionError("messages keep coming");
  }

  private static boolean phaseOne(Envelope e) {
    return e.message() instanceof Prepare || e.message() instanceof Promise;
  }

  private static Predicate<Envelope> is(Class<? extends Message> type, NodeId to) {
    return e -> type.isInstance(e.message()) && e.to().equals(to);
  }

  @Test
  void theForwarderAnswersOnTakingTheAcceptAndTheCoordinatorSendsNoReply() {
    start(3, 3);
    NodeId forwarder = forwardPut(1, "k");
    Envelope request = deliver(e -> e.message() instanceof ClientRequest);
    NodeId coordinator = request.to();
    deliverAll(ForwardedAnswerTest::phaseOne);
    // The coordinator took its own accept at once: only the other two left.
    assertThat(queue).allMatch(e -> e.message() instanceof Accept && !e.to().equals(coordinator));
    Accept toForwarder = (Accept) queue.stream().filter(e -> e.to().equals(forwarder)).findFirst().orElseThrow().message();
    assertThat(toForwarder.answer()).isEqualTo(new Accept.Answer(1, true, 1));
    queue.stream().filter(e -> !e.to().equals(forwarder))
        .forEach(e -> assertThat(((Accept) e.message()).answer()).isNull());

    deliver(is(Accept.class, forwarder));
    assertThat(results.get(1L)).as("answered before the coordinator heard from anyone")
        .isEqualTo(new ProposalResult.Done(new Outcome(true, 1, null)));

    deliverAll(e -> true);
    now += 2 * SECOND;
    for (ReplicaCore c : cores.values()) {
      c.tick(now, now / 1_000_000);
    }
    assertThat(queue).isEmpty();
    assertThat(clientReplies).as("the coordinator knew the forwarder answered").isEmpty();
    assertThat(cores.get(forwarder).answeredOnAccept()).isEqualTo(1);
  }

  @Test
  void theCoordinatorRepliesWhenTheForwarderNeverTookTheAccept() {
    start(3, 3);
    NodeId forwarder = forwardPut(2, "k");
    interceptAcceptTo(forwarder); // lost
    deliverAll(e -> true); // the third replica's accept completes the write at the coordinator
    assertThat(results).doesNotContainKey(2L);
    assertThat(clientReplies).as("held while the forwarder may still take the accept").isEmpty();

    now += ReplicationConfig.defaults().roundTimeoutNanos();
    for (ReplicaCore c : cores.values()) {
      c.tick(now, now / 1_000_000);
    }
    assertThat(clientReplies).hasSize(1);
    deliverAll(e -> true);
    assertThat(results.get(2L)).isEqualTo(new ProposalResult.Done(new Outcome(true, 1, null)));
    assertThat(cores.get(forwarder).answeredOnAccept()).isZero();
  }

  @Test
  void theCoordinatorRepliesAtOnceWhenTheForwarderRefusesTheAccept() {
    start(3, 3);
    NodeId forwarder = forwardPut(3, "k");
    Envelope accept = interceptAcceptTo(forwarder);
    Accept a = (Accept) accept.message();
    // The forwarder's reply to that accept, as if it had promised a higher ballot meanwhile.
    queue.add(new Envelope(forwarder, accept.from(),
        new Accepted(a.roundId(), forwarder, a.key(), false, a.ballot().next(forwarder))));
    deliverAll(e -> true);
    assertThat(clientReplies).hasSize(1);
    assertThat(results.get(3L)).isEqualTo(new ProposalResult.Done(new Outcome(true, 1, null)));
  }

  @Test
  void aForwarderThatDoesNotKnowAnswersGetsTheCoordinatorsReply() {
    start(3, 3);
    NodeId forwarder = forwardPut(5, "k");
    Envelope accept = interceptAcceptTo(forwarder);
    Accept a = (Accept) accept.message();
    assertThat(a.answer()).isNotNull();
    // What an older forwarder sees: the same accept without the field it does not know.
    queue.add(new Envelope(accept.from(), forwarder, new Accept(a.roundId(), a.source(), a.target(), a.key(),
        a.ballot(), a.cell(), a.nextPromise(), a.epoch())));
    deliverAll(e -> true);
    assertThat(clientReplies).as("it took the accept but did not say it answered").hasSize(1);
    assertThat(results.get(5L)).isEqualTo(new ProposalResult.Done(new Outcome(true, 1, null)));
    assertThat(cores.get(forwarder).answeredOnAccept()).isZero();
  }

  /**
   * A write that changes nothing (here a put-if-absent of a present key) is answered by the
   * coordinator only: its accept writes the current value back, and if that round failed the
   * coordinator would decide afresh, possibly applying the write after all. Only an accept of the
   * operation's own new value, which any later round finds, may carry the answer.
   */
  @Test
  void aWriteThatChangesNothingIsAnsweredByTheCoordinatorOnly() {
    start(3, 3);
    NodeId forwarder = forwardPut(6, "k");
    deliverAll(e -> true);
    assertThat(results.get(6L)).isEqualTo(new ProposalResult.Done(new Outcome(true, 1, null)));
    NodeId coordinator = cores.get(ids.get(0)).replicasOf("k").get(0);
    // The coordinator holds a cached ballot: its round is one accept writing the value back.
    cores.get(forwarder).submit(7, "k", Command.putIfAbsent("w".getBytes(StandardCharsets.UTF_8), 0),
        now + 5 * SECOND, now, now / 1_000_000);
    deliver(e -> e.message() instanceof ClientRequest && e.to().equals(coordinator));
    deliverAll(ForwardedAnswerTest::phaseOne);
    assertThat(queue).filteredOn(e -> e.message() instanceof Accept)
        .allMatch(e -> ((Accept) e.message()).answer() == null);
    int repliesBefore = clientReplies.size();
    deliverAll(e -> true);
    assertThat(clientReplies).hasSize(repliesBefore + 1);
    assertThat(results.get(7L)).isEqualTo(new ProposalResult.Done(new Outcome(false, 1, null)));
  }

  @Test
  void withFiveReplicasTwoAreNoQuorumAndTheCoordinatorAnswers() {
    start(5, 5);
    NodeId forwarder = forwardPut(4, "k");
    deliver(e -> e.message() instanceof ClientRequest);
    assertThat(queue).filteredOn(e -> e.message() instanceof Accept)
        .allMatch(e -> ((Accept) e.message()).answer() == null);
    deliverAll(e -> true);
    assertThat(clientReplies).hasSize(1);
    assertThat(results.get(4L)).isInstanceOf(ProposalResult.Done.class);
    assertThat(cores.get(forwarder).answeredOnAccept()).isZero();
  }
}
