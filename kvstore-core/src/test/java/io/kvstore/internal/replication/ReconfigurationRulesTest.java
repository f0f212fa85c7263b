package io.kvstore.internal.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.NodeId;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.partition.ConfigCodec;
import io.kvstore.internal.partition.Placement;
import io.kvstore.internal.partition.ReplicaSet;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Ballot;
import io.kvstore.spi.message.Cell;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Promise;
import io.kvstore.spi.message.Read;
import io.kvstore.spi.message.SnapshotChunk;
import io.kvstore.spi.message.SnapshotRequest;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
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
  private static final NodeId E = new NodeId("e", 5);
  private static final NodeId F = new NodeId("f", 6);
  private static final NodeId G = new NodeId("g", 7);

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
    // A newer epoch is refused too until this node installs it (the sender gets our configuration
    // and sends its own back): a new replica must answer nothing under a change it has not seen.
    core.onMessage(new Prepare(3, C, A, "k", new Ballot(2, C), 3), 0, 0);
    assertThat(sent).hasSize(1);
    assertThat(gossiped).containsExactly(B, C);
  }

  @Test
  void aNodeStartedToJoinRefusesAFormingNodeAndSaysSo() {
    ReplicaCore founder = core(A);
    founder.onMessage(new Read(1, B, A, ReplicaCore.CONFIG_KEY, 0), 0, 0);
    assertThat(sent).as("a founder without configuration answers a forming node's probe").hasSize(1);
    ReplicaCore joiner = core(C);
    joiner.founder(false);
    joiner.onMessage(new Read(2, B, C, ReplicaCore.CONFIG_KEY, 0), 0, 0);
    joiner.onMessage(new Prepare(3, B, C, ReplicaCore.CONFIG_KEY, new Ballot(1, B), 0), 0, 0);
    assertThat(sent).as("nothing answered by the joiner").hasSize(1);
    assertThat(gossiped).containsExactly(B, B);
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

  @Test
  void aRestartedNodeCatchesUpFromTheOthersAtOnceNeverFromItsPredecessor() {
    // c crashed and came back as a new boot of the same name: its membership never reports the old
    // boot (a node ignores identities at its own address), yet the old boot never answers again.
    NodeId reborn = new NodeId("c", 9);
    ReplicaCore core = core(reborn);
    core.configure(new ClusterConfig(2, List.of(A, B, reborn), 3, 16, 7, List.of(A, B, C)));
    assertThat(core.catchUpPending()).isPositive();
    core.tick(0, 0);
    List<NodeId> asked = new ArrayList<>();
    for (Message m : sent) {
      if (m instanceof SnapshotRequest r) {
        asked.add(r.target());
      }
    }
    assertThat(asked).as("every first request goes to a live old replica").isNotEmpty()
        .doesNotContain(C).contains(A, B);
  }

  @Test
  void replicasThatStayCatchUpWhenTheSetShrinksBelowWhatTheyCanSpare() {
    // Three replicas to two (c removed): a value chosen by b and c is on one of the two that stay.
    // Both catch up, or removing b next would leave a alone without it.
    ReplicaCore core = core(A);
    core.configure(new ClusterConfig(2, List.of(A, B), 3, 16, 7, List.of(A, B, C)));
    for (int p = 0; p < 16; p++) {
      assertThat(core.replicaSet(p).joint()).isTrue();
      assertThat(core.catchUpTargets(p)).containsExactlyInAnyOrder(A, B);
    }
    assertThat(core.catchUpPending()).isEqualTo(16);
    // Two to one (b removed): every value is on both, so a already holds it.
    ReplicaCore next = core(A);
    next.configure(new ClusterConfig(3, List.of(A), 3, 16, 7, List.of(A, B)));
    for (int p = 0; p < 16; p++) {
      assertThat(next.catchUpTargets(p)).isEmpty();
    }
    // Two to three (c added): only c is new, and a and b hold every value.
    ReplicaCore grow = core(C);
    grow.configure(new ClusterConfig(4, List.of(A, B, C), 3, 16, 7, List.of(A, B)));
    for (int p = 0; p < 16; p++) {
      assertThat(grow.catchUpTargets(p)).containsExactly(C);
    }
  }

  @Test
  void aForcedConfigurationCountsOnlyTheSurvivorsOfAnOldSetThatLostItsMajority() {
    // Five members, three replicas per partition; c, d and e are gone for good.
    ClusterConfig stable = new ClusterConfig(1, List.of(A, B, C, D, E), 3, 64, 7, List.of());
    ClusterConfig forced = stable.forceTo(List.of(A, B));
    assertThat(forced.forced()).isTrue();
    assertThat(forced.previous()).containsExactly(A, B, C, D, E);
    ReplicaCore core = core(B);
    core.configure(forced);
    Placement old = new Placement(stable);
    int kept = 0;
    int cut = 0;
    int gone = 0;
    for (int p = 0; p < 64; p++) {
      List<NodeId> before = old.replicas(p);
      ReplicaSet rs = core.replicaSet(p);
      assertThat(rs.current()).containsExactlyInAnyOrder(A, B);
      boolean hasA = before.contains(A);
      boolean hasB = before.contains(B);
      if (hasA && hasB) {
        // Two of three survived: the whole old set keeps its majority rule, nothing is lost; a
        // value chosen with the dead member is on one survivor only, so both catch up.
        kept++;
        assertThat(rs.previous()).isEqualTo(before);
        assertThat(core.catchUpTargets(p)).containsExactlyInAnyOrder(A, B);
      } else if (hasA || hasB) {
        // One survived: it alone is the old set, and the other survivor catches up from it.
        cut++;
        NodeId survivor = hasA ? A : B;
        assertThat(rs.previous()).containsExactly(survivor);
        assertThat(core.catchUpTargets(p)).containsExactly(survivor == A ? B : A);
      } else {
        // Only dead members held it: nothing to catch up from, the partition starts empty.
        gone++;
        assertThat(rs.joint()).isFalse();
        assertThat(core.catchUpTargets(p)).isEmpty();
      }
    }
    assertThat(kept).isPositive();
    assertThat(cut).isPositive();
    assertThat(gone).isPositive();
    assertThat(core.catchUpPending()).as("b catches up where a alone survived").isPositive();
    assertThat(ReplicaCore.configReplicas(forced)).isEqualTo(ReplicaSet.of(List.of(A, B)));
  }

  @Test
  void aLoneSurvivorHasNothingToCatchUpAndTheChangeCanCompleteAtOnce() {
    ClusterConfig forced = new ClusterConfig(1, List.of(A, B, C), 3, 16, 7, List.of()).forceTo(List.of(A));
    ReplicaCore core = core(A);
    core.configure(forced);
    for (int p = 0; p < 16; p++) {
      assertThat(core.replicaSet(p)).isEqualTo(ReplicaSet.of(List.of(A)));
      assertThat(core.catchUpTargets(p)).isEmpty();
    }
    assertThat(core.movingPartitions()).isZero();
    ClusterConfig done = forced.complete();
    assertThat(done.forced()).isFalse();
    assertThat(done.joint()).isFalse();
    assertThat(done.members()).containsExactly(A);
  }

  @Test
  void anOldSetThatKeptItsMajorityKeepsItsDeadMembersSoNoAcknowledgedWriteIsLost() {
    // Five replicas per partition, two dead: three of five is still a majority of every old set,
    // and a majority of the survivors alone (two of three) could miss a value on the third.
    ClusterConfig forced = new ClusterConfig(1, List.of(A, B, C, D, E), 5, 4, 7, List.of()).forceTo(List.of(A, B, C));
    ReplicaCore core = core(A);
    core.configure(forced);
    for (int p = 0; p < 4; p++) {
      assertThat(core.replicaSet(p).previous()).containsExactlyInAnyOrder(A, B, C, D, E);
    }
    assertThat(ReplicaCore.forcedBefore(List.of(A, B, C, D, E), List.of(A, B),
        ReplicationConfig.defaults())).containsExactly(A, B);
  }

  @Test
  void survivorsThatCouldFormAMajorityWithoutOneOfThemAllCatchUp() {
    // Seven replicas, four dead: any one of the three survivors may hold the only copy of a value.
    ClusterConfig forced = new ClusterConfig(1, List.of(A, B, C, D, E, F, G), 7, 2, 7, List.of())
        .forceTo(List.of(A, B, C));
    ReplicaCore core = core(A);
    core.configure(forced);
    for (int p = 0; p < 2; p++) {
      assertThat(core.replicaSet(p).previous()).containsExactlyInAnyOrder(A, B, C);
      assertThat(core.catchUpTargets(p)).containsExactlyInAnyOrder(A, B, C);
    }
  }

  @Test
  void aForcedChangeStaysForcedWhenRetargetedAndStartsFromTheOldMembersOfAChangeInProgress() {
    ClusterConfig joint = new ClusterConfig(4, List.of(A, B, D), 3, 8, 7, List.of(A, B, C));
    ClusterConfig forced = joint.forceTo(List.of(A, D));
    assertThat(forced.epoch()).isEqualTo(5);
    assertThat(forced.previous()).as("the old set holds every acknowledged write").containsExactly(A, B, C);
    ClusterConfig retargeted = forced.retarget(List.of(A));
    assertThat(retargeted.forced()).isTrue();
    assertThat(retargeted.previous()).containsExactly(A, B, C);
    assertThat(joint.retarget(List.of(A, B)).forced()).isFalse();
    assertThatThrownBy(() -> new ClusterConfig(1, List.of(A), 1, 1, 7, List.of(), true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRegisterFormatRoundTripsAForcedConfigurationAndStillReadsTheOldFormat() throws Exception {
    ClusterConfig forced = new ClusterConfig(1, List.of(A, B, C), 3, 8, 7, List.of()).forceTo(List.of(A));
    byte[] encoded = ConfigCodec.encode(forced);
    assertThat(encoded[0]).isEqualTo((byte) 3);
    assertThat(ConfigCodec.decode(encoded)).isEqualTo(forced);
    ClusterConfig plain = new ClusterConfig(3, List.of(A, B), 2, 8, 7, List.of(A, B, C));
    assertThat(ConfigCodec.encode(plain)[0]).as("unforced values stay readable by earlier versions")
        .isEqualTo((byte) 2);
    // A value written by an earlier version, byte by byte.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(2);
      out.writeLong(3);
      out.writeLong(7);
      out.writeInt(2);
      out.writeInt(8);
      out.writeInt(2);
      out.writeUTF("a");
      out.writeLong(1);
      out.writeUTF("b");
      out.writeLong(2);
      out.writeInt(0);
    }
    assertThat(ConfigCodec.decode(bytes.toByteArray()))
        .isEqualTo(new ClusterConfig(3, List.of(A, B), 2, 8, 7, List.of()));
    byte[] unknownFlag = encoded.clone();
    unknownFlag[unknownFlag.length - 1] = 3;
    assertThatThrownBy(() -> ConfigCodec.decode(unknownFlag)).isInstanceOf(IllegalArgumentException.class);
  }
}
