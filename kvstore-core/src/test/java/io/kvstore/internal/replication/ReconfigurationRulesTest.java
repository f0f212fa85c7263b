package io.kvstore.internal.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.NodeId;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.partition.ReplicaSet;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Ballot;
import io.kvstore.spi.message.Cell;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Promise;
import io.kvstore.spi.message.SnapshotChunk;
import io.kvstore.spi.message.SnapshotRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The local rules of configuration changes: joint quorums, epoch fencing, catch-up installs. */
final class ReconfigurationRulesTest {
  private static final NodeId A = new NodeId("a", 1);
  private static final NodeId B = new NodeId("b", 2);
  private static final NodeId C = new NodeId("c", 3);
  private static final NodeId D = new NodeId("d", 4);

  private final List<Message> sent = new ArrayList<>();
  private final List<NodeId> gossiped = new ArrayList<>();

  private ReplicaCore core(NodeId self) {
    ReplicaCore core = new ReplicaCore(self, ReplicationConfig.defaults(), new SplittableRandom(1),
        new Proposer.Effects() {
          @Override
          public void send(NodeId to, Message message) {
            sent.add(message);
          }

          @Override
          public void complete(long opId, ProposalResult result) {}
        });
    core.onConfigGossip(gossiped::add);
    return core;
  }

  @Test
  void aJointQuorumNeedsAMajorityOfBothSets() {
    ReplicaSet joint = new ReplicaSet(List.of(A, B, D), List.of(A, B, C));
    ReplicationConfig rc = ReplicationConfig.defaults();
    assertThat(joint.isQuorum(List.of(A, B), rc::quorum)).isTrue();
    assertThat(joint.isQuorum(List.of(A, D), rc::quorum)).as("no majority of the old set").isFalse();
    assertThat(joint.isQuorum(List.of(A, C), rc::quorum)).as("no majority of the new set").isFalse();
    assertThat(joint.isQuorum(List.of(A, C, D), rc::quorum)).isTrue();
    assertThat(joint.blockedBy(List.of(C, D), rc::quorum)).isFalse();
    assertThat(joint.blockedBy(List.of(B, C), rc::quorum)).isTrue();
    assertThat(joint.all()).containsExactly(A, B, D, C);
  }

  @Test
  void aReplicaRefusesMessagesOfAnOlderEpochAndTellsTheSender() {
    ReplicaCore core = core(A);
    core.configure(new ClusterConfig(2, List.of(A, B, C), 3, 4));
    core.onMessage(new Prepare(1, B, A, "k", new Ballot(1, B), 1), 0, 0);
    assertThat(sent).isEmpty();
    assertThat(gossiped).containsExactly(B);
    core.onMessage(new Prepare(2, B, A, "k", new Ballot(1, B), 2), 0, 0);
    assertThat(sent).singleElement().isInstanceOf(Promise.class);
    assertThat(((Promise) sent.get(0)).ok()).isTrue();
    // A newer epoch is served (it weakens nothing) and the two exchange configurations.
    core.onMessage(new Prepare(3, C, A, "k", new Ballot(2, C), 3), 0, 0);
    assertThat(sent).hasSize(2);
    assertThat(gossiped).containsExactly(B, C);
  }

  @Test
  void anOldReplicaServesSnapshotsOnlyUnderItsOwnEpoch() {
    ReplicaCore core = core(A);
    ClusterConfig joint = new ClusterConfig(2, List.of(A, B, D), 3, 1, 7, List.of(A, B, C));
    core.configure(joint);
    core.onMessage(new SnapshotRequest(D, A, 3, 0, 0, 100), 0, 0);
    core.onMessage(new SnapshotRequest(D, A, 1, 0, 0, 100), 0, 0);
    core.onMessage(new SnapshotRequest(D, A, 2, 0, 0, 100), 0, 0);
    assertThat(sent).hasSize(3);
    assertThat(((SnapshotChunk) sent.get(0)).status()).isEqualTo(SnapshotChunk.Status.BEHIND);
    assertThat(((SnapshotChunk) sent.get(1)).status()).isEqualTo(SnapshotChunk.Status.STALE);
    SnapshotChunk ok = (SnapshotChunk) sent.get(2);
    assertThat(ok.status()).isEqualTo(SnapshotChunk.Status.OK);
    assertThat(ok.last()).isTrue();
  }

  @Test
  void aStreamedValueIsInstalledOnlyOverLowerBallotsAndNeverBelowAPromise() {
    Acceptor acceptor = new Acceptor(D);
    Cell v1 = new Cell("one".getBytes(StandardCharsets.UTF_8), 1, 0, 11);
    Cell v2 = new Cell("two".getBytes(StandardCharsets.UTF_8), 2, 0, 12);
    assertThat(acceptor.install(new SnapshotChunk.Entry("k", new Ballot(5, A), v2))).isTrue();
    assertThat(acceptor.install(new SnapshotChunk.Entry("k", new Ballot(3, B), v1))).isTrue();
    assertThat(acceptor.entry("k").cell()).isEqualTo(v2); // the older value did not replace it
    acceptor.onPrepare(new Prepare(1, C, D, "m", new Ballot(9, C), 0));
    assertThat(acceptor.install(new SnapshotChunk.Entry("m", new Ballot(4, A), v1)))
        .as("refused by the promise: the caller writes the key back through a quorum instead").isFalse();
    assertThat(acceptor.entry("m")).isNull();
    acceptor.checkInvariants();
  }

  @Test
  void onlyNewReplicasCatchUpUnlessTheSetShrinksALot() {
    ReplicaCore core = core(D);
    // 3 members to 3 members (c replaced by d): only d catches up, and only where it is new.
    ClusterConfig replace = new ClusterConfig(2, List.of(A, B, D), 3, 16, 7, List.of(A, B, C));
    core.configure(replace);
    int moving = 0;
    for (int p = 0; p < 16; p++) {
      ReplicaSet rs = core.replicaSet(p);
      if (rs.joint()) {
        moving++;
        assertThat(core.catchUpTargets(p)).containsExactly(D);
      } else {
        assertThat(core.catchUpTargets(p)).isEmpty();
      }
    }
    assertThat(moving).isPositive();
    assertThat(core.catchUpPending()).isEqualTo(moving);
  }
}
