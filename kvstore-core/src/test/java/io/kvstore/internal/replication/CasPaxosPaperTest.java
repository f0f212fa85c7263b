package io.kvstore.internal.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.Accepted;
import io.kvstore.spi.message.Ballot;
import io.kvstore.spi.message.Cell;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Promise;
import io.kvstore.spi.message.Read;
import org.junit.jupiter.api.Test;

/** Scenario tests of the CASPaxos roles, one per rule of the protocol (docs/PROTOCOL.md). */
class CasPaxosPaperTest {
  private static final ReplicationConfig CONFIG = ReplicationConfig.defaults();

  private static byte[] v(String s) {
    return s.getBytes(UTF_8);
  }

  private static Outcome done(ProposalResult r) {
    assertThat(r).isInstanceOf(ProposalResult.Done.class);
    return ((ProposalResult.Done) r).outcome();
  }

  @Test
  void acceptorPromisesOnlyHigherBallotsAndNeverGoesBack() {
    NodeId self = new NodeId("a", 1);
    NodeId p = new NodeId("p", 1);
    Acceptor a = new Acceptor(self);
    Promise first = a.onPrepare(new Prepare(1, p, self, "k", new Ballot(5, p), 0));
    assertThat(first.ok()).isTrue();
    Promise lower = a.onPrepare(new Prepare(2, p, self, "k", new Ballot(4, p), 0));
    assertThat(lower.ok()).isFalse();
    assertThat(lower.promised()).isEqualTo(new Ballot(5, p));
    Accepted stale = a.onAccept(new Accept(3, p, self, "k", new Ballot(4, p), new Cell(v("x"), 1, 0, 9), null, 0));
    assertThat(stale.ok()).isFalse();
    Cell cell = new Cell(v("y"), 1, 0, 10);
    Accepted ok = a.onAccept(new Accept(4, p, self, "k", new Ballot(5, p), cell, new Ballot(6, p), 0));
    assertThat(ok.ok()).isTrue();
    assertThat(ok.promised()).isEqualTo(new Ballot(6, p));
    assertThat(a.onRead(new Read(5, p, self, "k", 0)).cell()).isEqualTo(cell);
    // A prepare at the accepted ballot is refused: it could pick another value for that ballot.
    assertThat(a.onPrepare(new Prepare(6, p, self, "k", new Ballot(5, p), 0)).ok()).isFalse();
    a.checkInvariants();
  }

  @Test
  void acceptorIgnoresMessagesForAnEarlierBootOfItself() {
    NodeId oldBoot = new NodeId("a", 1);
    NodeId newBoot = new NodeId("a", 2);
    NodeId p = new NodeId("p", 1);
    Acceptor a = new Acceptor(newBoot);
    assertThat(a.onPrepare(new Prepare(1, p, oldBoot, "k", new Ballot(1, p), 0))).isNull();
    assertThat(a.onAccept(new Accept(1, p, oldBoot, "k", new Ballot(1, p), new Cell(v("x"), 1, 0, 1), null, 0))).isNull();
    assertThat(a.onRead(new Read(1, p, oldBoot, "k", 0))).isNull();
  }

  @Test
  void writeThenReadAndVersionsIncrease() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    long put1 = c.submit(1, "k", Command.put(v("a"), 0));
    c.deliverAll();
    assertThat(done(c.results.get(put1)).version()).isEqualTo(1);
    long put2 = c.submit(1, "k", Command.put(v("b"), 0));
    c.deliverAll();
    assertThat(done(c.results.get(put2)).version()).isEqualTo(2);
    long get = c.submit(2, "k", Command.get());
    c.deliverAll();
    Outcome read = done(c.results.get(get));
    assertThat(new String(read.value(), UTF_8)).isEqualTo("b");
    assertThat(read.version()).isEqualTo(2);
    assertThat(c.proposers.get(c.id(1)).onePhaseWrites()).isEqualTo(1);
    assertThat(c.proposers.get(c.id(2)).fastReads()).isEqualTo(1);
  }

  @Test
  void secondWriteFromTheSameProposerTakesOneRoundTrip() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    c.submit(1, "k", Command.put(v("a"), 0));
    c.deliverAll();
    int before = c.delivered;
    c.submit(1, "k", Command.put(v("b"), 0));
    c.deliverAll();
    // 3 accepts + 3 accepted, no prepare.
    assertThat(c.delivered - before).isEqualTo(6);
  }

  @Test
  void deleteWritesATombstoneAndVersionsKeepGrowing() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    c.submit(1, "k", Command.put(v("a"), 0));
    long del = c.submit(1, "k", Command.delete());
    long del2 = c.submit(1, "k", Command.delete());
    c.deliverAll();
    long cas = c.submit(2, "k", Command.compareAndSet(0, v("b"), 0));
    c.advance(1_000_000_000L);
    assertThat(done(c.results.get(del)).applied()).isTrue();
    assertThat(done(c.results.get(del2)).applied()).isFalse();
    Outcome o = done(c.results.get(cas));
    assertThat(o.applied()).isTrue();
    assertThat(o.version()).isEqualTo(3);
  }

  @Test
  void aMinorityDownIsTolerated() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    c.down.add(c.id(3));
    long put = c.submit(1, "k", Command.put(v("a"), 0));
    c.advance(1_000_000_000L);
    assertThat(done(c.results.get(put)).version()).isEqualTo(1);
  }

  @Test
  void aMajorityDownFailsDefinitelyWhenNoAcceptLeft() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    c.down.add(c.id(2));
    c.down.add(c.id(3));
    long put = c.submit(1, "k", Command.put(v("a"), 0));
    c.advance(6_000_000_000L);
    assertThat(c.results.get(put)).isInstanceOf(ProposalResult.Unavailable.class);
  }

  @Test
  void lostAcceptRepliesMakeTheOutcomeUnknownNeverFailed() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    // The accepts arrive but every reply to them is lost, and then the replicas become
    // unreachable: the proposer cannot know whether its write was chosen.
    boolean[] acceptSeen = {false};
    c.drop =
        (e, n) -> {
          if (e.message() instanceof Accept) {
            acceptSeen[0] = true;
            return false;
          }
          return e.message() instanceof Accepted || (acceptSeen[0] && e.message() instanceof Prepare);
        };
    long put = c.submit(1, "k", Command.put(v("a"), 0));
    c.advance(6_000_000_000L);
    assertThat(c.results.get(put)).isInstanceOf(ProposalResult.Unknown.class);
  }

  @Test
  void anInterruptedWriteIsRecognisedAndFinishedByTheNextRound() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    // The first two Accepted replies are lost: the write reached the replicas but the proposer
    // does not know it. Its retry finds its own value and reports success.
    int[] lost = {0};
    c.drop = (e, n) -> e.message() instanceof Accepted && lost[0]++ < 2;
    long put = c.submit(1, "k", Command.put(v("a"), 0));
    c.advance(2_000_000_000L);
    assertThat(done(c.results.get(put)).version()).isEqualTo(1);
  }

  @Test
  void aPurgedKeyLeavesFloorsThatKeepBallotsAndVersionsGoingUp() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    c.submit(1, "k", Command.put(v("a"), 0));
    c.submit(1, "k", Command.put(v("b"), 0));
    long del = c.submit(1, "k", Command.delete());
    c.deliverAll();
    assertThat(done(c.results.get(del)).applied()).isTrue();
    long purge = c.submit(2, "k", Command.purge());
    c.advance(1_000_000_000L);
    assertThat(done(c.results.get(purge)).applied()).isTrue();
    for (Acceptor a : c.acceptors.values()) {
      assertThat(a.size()).as("the key is gone from every replica").isZero();
      assertThat(a.purged()).isEqualTo(1);
    }
    // A read sees nothing; a new write gets a version above the tombstone's (3).
    long get = c.submit(3, "k", Command.get());
    c.deliverAll();
    assertThat(done(c.results.get(get)).applied()).isFalse();
    long put = c.submit(1, "k", Command.put(v("c"), 0));
    c.advance(1_000_000_000L);
    assertThat(done(c.results.get(put)).version()).isEqualTo(4);
  }

  @Test
  void aLiveValueIsNeverPurgedAndAPurgeNeedsEveryReplica() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    c.submit(1, "k", Command.put(v("a"), 0));
    c.deliverAll();
    long purgeLive = c.submit(2, "k", Command.purge());
    c.advance(1_000_000_000L);
    assertThat(done(c.results.get(purgeLive)).applied()).isFalse();
    long del = c.submit(1, "k", Command.delete());
    c.advance(1_000_000_000L);
    assertThat(done(c.results.get(del)).applied()).isTrue();
    c.down.add(c.id(3));
    long purge = c.submit(2, "k", Command.purge());
    c.advance(2_000_000_000L);
    assertThat(c.results.get(purge)).isNotInstanceOf(ProposalResult.Done.class);
    assertThat(c.acceptors.get(c.id(1)).size()).as("nothing dropped without every replica").isEqualTo(1);
  }

  @Test
  void anExpiredValueIsPurgedAsATombstone() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    long put = c.submit(1, "lease", Command.put(v("me"), 100_000_000L)); // 100 ms
    c.deliverAll();
    assertThat(done(c.results.get(put)).version()).isEqualTo(1);
    long early = c.submit(2, "lease", Command.purge());
    c.advance(50_000_000L);
    assertThat(done(c.results.get(early)).applied()).as("still live: nothing to purge").isFalse();
    c.advance(200_000_000L);
    long purge = c.submit(2, "lease", Command.purge());
    c.advance(1_000_000_000L);
    assertThat(done(c.results.get(purge)).applied()).isTrue();
    assertThat(c.acceptors.values()).allMatch(a -> a.size() == 0);
    long again = c.submit(3, "lease", Command.putIfAbsent(v("you"), 0));
    c.advance(1_000_000_000L);
    // The expired value became tombstone version 2, so the next value is version 3.
    assertThat(done(c.results.get(again)).version()).isEqualTo(3);
  }

  @Test
  void aPurgeMessageForAnOlderBallotIsIgnored() {
    NodeId self = new NodeId("a", 1);
    NodeId p = new NodeId("p", 1);
    Acceptor a = new Acceptor(self);
    a.onPrepare(new Prepare(1, p, self, "k", new Ballot(1, p), 0));
    a.onAccept(new Accept(2, p, self, "k", new Ballot(1, p), new Cell(null, 2, 0, 7), null, 0));
    a.onAccept(new Accept(3, p, self, "k", new Ballot(2, p), new Cell(v("x"), 3, 0, 8), null, 0));
    a.onPurge(new io.kvstore.spi.message.Purge(p, self, "k", new Ballot(1, p), 0), 0);
    assertThat(a.size()).isEqualTo(1);
    assertThat(a.purged()).isZero();
  }

  @Test
  void aRefusedDuplicateOfATakenAcceptDoesNotMakeTheWriteApplyTwice() {
    // One replica. It takes the accept (and promises the proposer's next ballot), but its answer
    // is lost; the network delivers the accept a second time, and that copy is refused (its
    // ballot is below the promise the first one raised). "Every replica refused" must not be read
    // as "nothing was taken": the retry finds its own value and reports it, instead of putting
    // the value again on top of itself.
    MiniCluster c = new MiniCluster(1, CONFIG);
    long put = c.submit(1, "k", Command.put(v("a"), 0));
    c.deliverOne(); // the prepare
    c.deliverOne(); // the promise: the proposer sends its accept
    MiniCluster.Envelope accept = c.queue.peek();
    assertThat(accept.message()).isInstanceOf(Accept.class);
    c.queue.add(accept); // duplicated by the network
    c.deliverOne(); // the accept is taken; its answer waits behind the duplicate
    MiniCluster.Envelope taken = c.queue.pollLast(); // and is lost
    assertThat(((Accepted) taken.message()).ok()).isTrue();
    c.deliverOne(); // the duplicate is refused
    assertThat(((Accepted) c.queue.peek().message()).ok()).isFalse();
    c.advance(2_000_000_000L);
    assertThat(done(c.results.get(put)).version()).isEqualTo(1);
    assertThat(c.acceptors.get(c.id(1)).onRead(new Read(99, c.id(1), c.id(1), "k", 0)).cell().version())
        .as("the value was written once").isEqualTo(1);
  }

  @Test
  void competingProposersBothFinishAndAgree() {
    MiniCluster c = new MiniCluster(3, CONFIG);
    long a = c.submit(1, "k", Command.compareAndSet(0, v("from-1"), 0));
    long b = c.submit(2, "k", Command.compareAndSet(0, v("from-2"), 0));
    c.advance(3_000_000_000L);
    boolean aWon = done(c.results.get(a)).applied();
    boolean bWon = done(c.results.get(b)).applied();
    assertThat(aWon ^ bWon).as("exactly one create-if-absent wins").isTrue();
    long get = c.submit(3, "k", Command.get());
    c.advance(1_000_000_000L);
    assertThat(new String(done(c.results.get(get)).value(), UTF_8)).isEqualTo(aWon ? "from-1" : "from-2");
  }
}
