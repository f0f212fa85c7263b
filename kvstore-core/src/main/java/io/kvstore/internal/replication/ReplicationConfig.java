package io.kvstore.internal.replication;

import java.util.concurrent.TimeUnit;

/**
 * Tunables of the replication core.
 *
 * @param roundTimeoutNanos how long one phase waits for a quorum before it is retried; short, so a
 *     lost message costs one retry rather than the whole operation
 * @param backoffMinNanos lower bound of the randomized backoff after being preempted
 * @param backoffMaxNanos upper bound of that backoff; randomization breaks duelling proposers
 * @param maxAttempts rounds one operation may start before it gives up with contention
 * @param fastReads whether reads try the one-round-trip path first
 * @param onePhaseWrites whether accepts carry a promise for the proposer's next ballot
 * @param readHedgeNanos how long a fast read waits for the quorum of replicas it asked first
 *     (itself and the fewest others that make a majority) before asking the rest; 0 asks every
 *     replica at once
 * @param mutation a deliberately broken behaviour, for tests that prove the checker catches it;
 *     always {@link Mutation#NONE} outside those tests
 */
public record ReplicationConfig(
    long roundTimeoutNanos,
    long backoffMinNanos,
    long backoffMaxNanos,
    int maxAttempts,
    boolean fastReads,
    boolean onePhaseWrites,
    long readHedgeNanos,
    Mutation mutation) {

  /** Deliberate bugs. Not reachable from any public configuration. */
  public enum Mutation {
    /** Correct behaviour. */
    NONE,
    /** Quorums one smaller than a majority. */
    QUORUM_ONE_SMALLER,
    /** The fast read compares ballots but not values. */
    FAST_READ_IGNORES_VALUES,
    /** On disagreement, a read returns the highest answer without writing it back. */
    READ_WITHOUT_WRITE_BACK,
    /** A proposer keeps its cached next ballot after a failed accept. */
    KEEP_CACHED_BALLOT_AFTER_FAILURE,
    /** A configuration change completes without catching the new replicas up. */
    SKIP_CATCH_UP,
    /** While a configuration change is in progress, rounds use the new replica sets only. */
    JOINT_USES_NEW_QUORUM_ONLY,
    /**
     * A coordinator lets the replica that forwarded a write answer its client even when the
     * coordinator's own accept was refused.
     */
    ANSWER_WITHOUT_OWN_ACCEPT
  }

  /** Validates. */
  public ReplicationConfig {
    if (roundTimeoutNanos <= 0 || backoffMinNanos < 0 || backoffMaxNanos < backoffMinNanos
        || readHedgeNanos < 0) {
      throw new IllegalArgumentException("bad replication timeouts");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (mutation == null) {
      throw new IllegalArgumentException("mutation must not be null");
    }
  }

  /** Defaults for a LAN. */
  public static ReplicationConfig defaults() {
    return new ReplicationConfig(
        TimeUnit.MILLISECONDS.toNanos(300),
        TimeUnit.MILLISECONDS.toNanos(2),
        TimeUnit.MILLISECONDS.toNanos(40),
        12,
        true,
        true,
        TimeUnit.MILLISECONDS.toNanos(20),
        Mutation.NONE);
  }

  /** A copy with a deliberate bug, for mutation tests only. */
  public ReplicationConfig withMutation(Mutation m) {
    return new ReplicationConfig(
        roundTimeoutNanos, backoffMinNanos, backoffMaxNanos, maxAttempts, fastReads, onePhaseWrites,
        readHedgeNanos, m);
  }

  /** A copy whose fast reads wait {@code nanos} before asking every replica (0: at once). */
  public ReplicationConfig withReadHedge(long nanos) {
    return new ReplicationConfig(
        roundTimeoutNanos, backoffMinNanos, backoffMaxNanos, maxAttempts, fastReads, onePhaseWrites,
        nanos, mutation);
  }

  /** The quorum size for {@code replicas} replicas. */
  int quorum(int replicas) {
    int q = replicas / 2 + 1;
    return mutation == Mutation.QUORUM_ONE_SMALLER ? Math.max(1, q - 1) : q;
  }
}
