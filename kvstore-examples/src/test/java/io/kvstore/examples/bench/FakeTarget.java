package io.kvstore.examples.bench;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * A synchronous fake server in virtual time: each call costs {@code serviceNanos} of virtual time
 * (plus a one-time stall if configured) and answers what {@code answer} says for the time the call
 * started.
 */
final class FakeTarget implements Target {
  private final VirtualClock clock;
  private final long serviceNanos;
  private final LongFunction<Result> answer;
  private long stallAtNanos = -1;
  private long stallNanos;
  private long calls;

  FakeTarget(VirtualClock clock, long serviceNanos, LongFunction<Result> answer) {
    this.clock = clock;
    this.serviceNanos = serviceNanos;
    this.answer = answer;
  }

  /** The first call at or after {@code atNanos} blocks for {@code nanos} more. */
  FakeTarget stallOnce(long atNanos, long nanos) {
    this.stallAtNanos = atNanos;
    this.stallNanos = nanos;
    return this;
  }

  long calls() {
    return calls;
  }

  @Override
  public CompletableFuture<Result> execute(Op op) {
    calls++;
    long start = clock.nanoTime();
    if (stallAtNanos >= 0 && start >= stallAtNanos) {
      stallAtNanos = -1;
      clock.advance(stallNanos);
    }
    clock.advance(serviceNanos);
    return CompletableFuture.completedFuture(answer.apply(start));
  }

  @Override
  public String describe() {
    return "fake";
  }

  @Override
  public void close() {}
}
