package io.kvstore.internal.membership;

import java.util.concurrent.TimeUnit;

/**
 * Tunables of the SWIM/Lifeguard membership protocol. Use {@link #lan()} in production and {@link
 * #local()} for tests on one machine. Durations are nanoseconds.
 *
 * @param probeIntervalNanos time between two probes of this node (SWIM protocol period)
 * @param probeTimeoutNanos time to wait for a direct ack before asking helpers (ping-req)
 * @param indirectChecks number of helpers asked to probe on our behalf (SWIM's k)
 * @param suspicionMult Lifeguard: minimum suspicion timeout = mult · log10(max(n,1)) · interval
 * @param suspicionMaxTimeoutMult Lifeguard: maximum suspicion timeout = this · minimum
 * @param retransmitMult an update is piggybacked this · ceil(log10(n+1)) times (λ·log n)
 * @param gossipIntervalNanos time between two rounds of pure gossip
 * @param gossipNodes members each gossip round sends to
 * @param gossipToDeadNanos how long dead members still receive gossip (so they can refute)
 * @param pushPullIntervalNanos time between two full-state exchanges; 0 disables them
 * @param awarenessMax Lifeguard: local health multiplier is in [0, awarenessMax)
 * @param deadReapNanos how long dead/left members stay in the table before removal
 * @param maxDatagramBytes estimated encoded size budget of one datagram
 * @param maxQueuedUpdates bound of the gossip queue
 * @param tickIntervalNanos how often the driver ticks the core
 * @param pauseThresholdNanos a gap between ticks this much larger than the tick interval is a stall
 *     of this process (GC, safepoint, SIGSTOP), not evidence against others
 * @param joinRetryMinNanos first delay before a seed is contacted again
 * @param joinRetryMaxNanos maximum delay between seed contacts (backoff cap, also the period at
 *     which seeds that are not live members are retried forever)
 */
public record MembershipConfig(
    long probeIntervalNanos,
    long probeTimeoutNanos,
    int indirectChecks,
    int suspicionMult,
    int suspicionMaxTimeoutMult,
    int retransmitMult,
    long gossipIntervalNanos,
    int gossipNodes,
    long gossipToDeadNanos,
    long pushPullIntervalNanos,
    int awarenessMax,
    long deadReapNanos,
    int maxDatagramBytes,
    int maxQueuedUpdates,
    long tickIntervalNanos,
    long pauseThresholdNanos,
    long joinRetryMinNanos,
    long joinRetryMaxNanos) {

  /** Validates every field. */
  public MembershipConfig {
    positive(probeIntervalNanos, "probeInterval");
    positive(probeTimeoutNanos, "probeTimeout");
    require(probeTimeoutNanos < probeIntervalNanos, "probeTimeout must be < probeInterval");
    require(indirectChecks >= 0 && indirectChecks <= 16, "indirectChecks must be in [0, 16]");
    require(suspicionMult >= 1, "suspicionMult must be >= 1");
    require(suspicionMaxTimeoutMult >= 1, "suspicionMaxTimeoutMult must be >= 1");
    require(retransmitMult >= 1, "retransmitMult must be >= 1");
    positive(gossipIntervalNanos, "gossipInterval");
    require(gossipNodes >= 1 && gossipNodes <= 64, "gossipNodes must be in [1, 64]");
    require(gossipToDeadNanos >= 0, "gossipToDead must be >= 0");
    require(pushPullIntervalNanos >= 0, "pushPullInterval must be >= 0");
    require(awarenessMax >= 1 && awarenessMax <= 64, "awarenessMax must be in [1, 64]");
    positive(deadReapNanos, "deadReap");
    require(maxDatagramBytes >= 256, "maxDatagramBytes must be >= 256");
    require(maxQueuedUpdates >= 16, "maxQueuedUpdates must be >= 16");
    positive(tickIntervalNanos, "tickInterval");
    require(pauseThresholdNanos > tickIntervalNanos, "pauseThreshold must be > tickInterval");
    positive(joinRetryMinNanos, "joinRetryMin");
    require(joinRetryMaxNanos >= joinRetryMinNanos, "joinRetryMax must be >= joinRetryMin");
  }

  /**
   * Defaults close to memberlist's {@code DefaultLANConfig}, for nodes on one LAN or data centre.
   */
  public static MembershipConfig lan() {
    return new MembershipConfig(
        // One probe per second: failure detected in O(1) periods with constant load per member.
        ms(1000),
        // 500 ms: well above a LAN round trip (≪ 10 ms) plus a GC pause of a healthy JVM.
        ms(500),
        // k = 3 helpers: a single lossy link or slow helper does not cause a suspicion.
        3,
        // 4 · log10(n) periods minimum suspicion: room for the suspect to hear and refute.
        4,
        // Lifeguard: start at 6 × the minimum, shrink with independent confirmations.
        6,
        // λ = 4: an update reaches everyone with high probability even at 10% loss.
        4,
        // Gossip every 200 ms to 3 members: news spreads in a few hundred ms.
        ms(200),
        3,
        // Dead members keep hearing gossip for 30 s, so a falsely declared node can refute.
        ms(30_000),
        // Full-state push-pull every 30 s heals whatever gossip missed.
        ms(30_000),
        // Lifeguard's local health multiplier saturates at 8 (timeouts up to 9× longer).
        8,
        // Dead/left members are remembered for 2 minutes, then reaped (a tombstone stays).
        ms(120_000),
        // One UDP datagram under a 1500-byte MTU, as memberlist's UDPBufferSize.
        1400,
        // Bounded gossip queue: memberlist-style pruning keeps the newest updates.
        4096,
        // Tick every 50 ms: timeout resolution of a tenth of the probe timeout.
        ms(50),
        // A 500 ms gap between ticks (ten missed ticks) is a stall of this process.
        ms(500),
        // Seeds: first retry after 1 s, back off to 30 s, forever while a seed is not a member.
        ms(1000),
        ms(30_000));
  }

  /** Fast timers for tests on one machine (loopback, no real loss): everything ~5× faster. */
  public static MembershipConfig local() {
    return new MembershipConfig(
        ms(200), // probe interval: five probes per second on loopback
        ms(100), // probe timeout: loopback round trips are sub-millisecond
        3,
        3, // suspicion: shorter minimum, still several gossip rounds to refute
        4,
        4,
        ms(50), // gossip every 50 ms
        3,
        ms(5_000),
        ms(5_000), // push-pull every 5 s
        8,
        ms(20_000),
        1400,
        4096,
        ms(10), // tick every 10 ms
        ms(250), // 250 ms without a tick is a stall
        ms(100),
        ms(2_000));
  }

  /** A copy with another probe interval and timeout. */
  public MembershipConfig withProbe(long intervalNanos, long timeoutNanos) {
    return new MembershipConfig(
        intervalNanos, timeoutNanos, indirectChecks, suspicionMult, suspicionMaxTimeoutMult,
        retransmitMult, gossipIntervalNanos, gossipNodes, gossipToDeadNanos,
        pushPullIntervalNanos, awarenessMax, deadReapNanos, maxDatagramBytes, maxQueuedUpdates,
        tickIntervalNanos, pauseThresholdNanos, joinRetryMinNanos, joinRetryMaxNanos);
  }

  /** A copy with another push-pull interval (0 disables push-pull). */
  public MembershipConfig withPushPullInterval(long nanos) {
    return new MembershipConfig(
        probeIntervalNanos, probeTimeoutNanos, indirectChecks, suspicionMult,
        suspicionMaxTimeoutMult, retransmitMult, gossipIntervalNanos, gossipNodes,
        gossipToDeadNanos, nanos, awarenessMax, deadReapNanos, maxDatagramBytes, maxQueuedUpdates,
        tickIntervalNanos, pauseThresholdNanos, joinRetryMinNanos, joinRetryMaxNanos);
  }

  /** A copy with another dead-member reap delay. */
  public MembershipConfig withDeadReap(long nanos) {
    return new MembershipConfig(
        probeIntervalNanos, probeTimeoutNanos, indirectChecks, suspicionMult,
        suspicionMaxTimeoutMult, retransmitMult, gossipIntervalNanos, gossipNodes,
        gossipToDeadNanos, pushPullIntervalNanos, awarenessMax, nanos, maxDatagramBytes,
        maxQueuedUpdates, tickIntervalNanos, pauseThresholdNanos, joinRetryMinNanos,
        joinRetryMaxNanos);
  }

  /** The profile called {@code name}: {@code lan} or {@code local}. */
  public static MembershipConfig profile(String name) {
    switch (name) {
      case "lan":
        return lan();
      case "local":
        return local();
      default:
        throw new IllegalArgumentException("unknown membership profile '" + name + "'");
    }
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static void positive(long v, String name) {
    require(v > 0, name + " must be positive: " + v);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
