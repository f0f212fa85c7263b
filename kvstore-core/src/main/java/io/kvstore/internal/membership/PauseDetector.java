package io.kvstore.internal.membership;

/**
 * Notices stalls of this process: the driver ticks the core every {@code tickIntervalNanos}; if the
 * time between two ticks exceeds {@code thresholdNanos}, the process (not the network) was stopped
 * (a GC pause, a safepoint, SIGSTOP, an overloaded host). Acks that were due during the stall are
 * probably sitting unread in a socket buffer, so their absence is no evidence against others.
 * Thread-unsafe.
 */
final class PauseDetector {
  private final long tickIntervalNanos;
  private final long thresholdNanos;
  private long lastTickNanos;
  private boolean started;

  PauseDetector(long tickIntervalNanos, long thresholdNanos) {
    this.tickIntervalNanos = tickIntervalNanos;
    this.thresholdNanos = thresholdNanos;
  }

  /**
   * Records a tick at {@code nowNanos} and returns the length of the stall before it: the gap
   * beyond one tick interval if the gap exceeded the threshold, else 0.
   */
  long onTick(long nowNanos) {
    if (!started) {
      started = true;
      lastTickNanos = nowNanos;
      return 0;
    }
    long gap = nowNanos - lastTickNanos;
    lastTickNanos = nowNanos;
    return gap > thresholdNanos ? gap - tickIntervalNanos : 0;
  }
}
