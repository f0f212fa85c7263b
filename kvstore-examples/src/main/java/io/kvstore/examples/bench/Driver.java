package io.kvstore.examples.bench;

import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issues operations against a {@link Target} and reports each completion to a {@link Recorder}.
 *
 * <ul>
 *   <li><b>Closed loop</b> ({@link #runClosed}): C clients, each with one operation in flight; a
 *       client issues its next operation when the previous one completes. No threads per client:
 *       the next operation is issued from the completion callback.
 *   <li><b>Open loop</b> ({@link #runOpen}): operations at a fixed rate, each with an intended
 *       start time on the schedule {@code start + i / rate}, whether or not earlier ones have
 *       completed. Latency is measured from the intended start, so a stall that delays sending (a
 *       blocked client, a full in-flight window) is charged to every operation it delayed: the
 *       correction for coordinated omission.
 * </ul>
 *
 * <p>Operation types and keys are drawn from random streams seeded by {@link Plan#seed()}, one per
 * client in the closed loop.
 */
final class Driver {
  /** The most operations the open loop keeps in flight; beyond, it waits (and the wait counts). */
  static final int MAX_IN_FLIGHT = 10_000;

  private static final long POLL_NANOS = 100_000;

  /** An open-loop send later than this after its slot counts as late. */
  static final long LATE_SEND_NANOS = 1_000_000;

  /**
   * What to issue.
   *
   * @param workload the operation mix
   * @param keys the key chooser
   * @param clients closed loop: concurrent clients; open loop: connections used round-robin
   * @param seed the random seed
   */
  record Plan(Workload workload, KeyChooser keys, int clients, long seed) {}

  private final Target target;
  private final Recorder recorder;
  private final BenchClock clock;
  private final Plan plan;
  private final AtomicLong inFlight = new AtomicLong();
  private volatile boolean stopped;
  private long maxSendLagNanos;
  private long lateSends;

  Driver(Target target, Recorder recorder, BenchClock clock, Plan plan) {
    this.target = target;
    this.recorder = recorder;
    this.clock = clock;
    this.plan = plan;
  }

  /**
   * Open loop: the longest delay between an operation's slot and its send. A large one means the
   * generator (or the machine) could not keep up with the rate, and the corrected latencies include
   * that wait. Read after the loop returned.
   */
  long maxSendLagNanos() {
    return maxSendLagNanos;
  }

  /** Open loop: how many operations were sent more than {@link #LATE_SEND_NANOS} late. */
  long lateSends() {
    return lateSends;
  }

  /** Makes the loops stop issuing at once. */
  void stop() {
    stopped = true;
  }

  /**
   * Runs the closed loop until {@code endNanos}, then waits up to {@code drainNanos} more for the
   * operations in flight.
   *
   * @return whether every client finished within the drain time
   */
  boolean runClosed(long endNanos, long drainNanos) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(plan.clients());
    SplittableRandom root = new SplittableRandom(plan.seed());
    for (int i = 0; i < plan.clients(); i++) {
      new Client(i, root.split(), endNanos, done).next();
    }
    long deadline = endNanos + drainNanos;
    while (done.getCount() > 0 && clock.nanoTime() - deadline < 0) {
      clock.sleepUntil(Math.min(deadline, clock.nanoTime() + POLL_NANOS * 10));
    }
    return done.getCount() == 0;
  }

  /** One closed-loop client: a chain of operations, one at a time. */
  private final class Client {
    private final int index;
    private final SplittableRandom random;
    private final long endNanos;
    private final CountDownLatch done;

    Client(int index, SplittableRandom random, long endNanos, CountDownLatch done) {
      this.index = index;
      this.random = random;
      this.endNanos = endNanos;
      this.done = done;
    }

    /**
     * Issues operations until one is pending; its completion calls this again. Operations that
     * complete at once are looped over rather than recursed into, so the stack stays flat.
     */
    void next() {
      while (true) {
        long start = clock.nanoTime();
        if (stopped || start - endNanos >= 0) {
          done.countDown();
          return;
        }
        OpType type = plan.workload().next(random);
        Op op = new Op(type, plan.keys().next(random), index);
        recorder.issued(start);
        CompletableFuture<Result> f = issue(op);
        if (f.isDone()) {
          recorder.record(type, f.getNow(Result.ERROR), start, start, clock.nanoTime());
          continue;
        }
        f.whenComplete(
            (r, t) -> {
              recorder.record(type, r != null ? r : Result.ERROR, start, start, clock.nanoTime());
              next();
            });
        return;
      }
    }
  }

  private CompletableFuture<Result> issue(Op op) {
    try {
      return target.execute(op).exceptionally(t -> Result.ERROR);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(Result.ERROR);
    }
  }

  /**
   * Runs the open loop at {@code ratePerSecond} from {@code startNanos} to {@code endNanos} on the
   * calling thread, then waits up to {@code drainNanos} more for the operations in flight.
   *
   * @return whether every operation completed within the drain time
   */
  boolean runOpen(long startNanos, long endNanos, double ratePerSecond, long drainNanos) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
    }
    double intervalNanos = 1e9 / ratePerSecond;
    SplittableRandom random = new SplittableRandom(plan.seed());
    for (long i = 0; !stopped; i++) {
      long intended = startNanos + (long) (i * intervalNanos);
      if (intended - endNanos >= 0) {
        break;
      }
      clock.sleepUntil(intended);
      while (inFlight.get() >= MAX_IN_FLIGHT && !stopped && clock.nanoTime() - endNanos < 0) {
        clock.sleepUntil(clock.nanoTime() + POLL_NANOS);
      }
      OpType type = plan.workload().next(random);
      Op op = new Op(type, plan.keys().next(random), (int) (i % plan.clients()));
      recorder.issued(intended);
      inFlight.incrementAndGet();
      long actual = clock.nanoTime();
      long lag = actual - intended;
      if (lag > maxSendLagNanos) {
        maxSendLagNanos = lag;
      }
      if (lag > LATE_SEND_NANOS) {
        lateSends++;
      }
      issue(op)
          .whenComplete(
              (r, t) -> {
                recorder.record(
                    type, r != null ? r : Result.ERROR, intended, actual, clock.nanoTime());
                inFlight.decrementAndGet();
              });
    }
    long deadline = Math.max(endNanos, clock.nanoTime()) + drainNanos;
    while (inFlight.get() > 0 && clock.nanoTime() - deadline < 0) {
      clock.sleepUntil(Math.min(deadline, clock.nanoTime() + POLL_NANOS));
    }
    return inFlight.get() == 0;
  }
}
