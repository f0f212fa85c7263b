package io.kvstore.sim;

import io.kvstore.sim.Operation.Kind;
import io.kvstore.sim.Operation.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the invocations and completions of client operations, in virtual time. An operation still
 * pending when the history is read counts as of unknown outcome, returning "now".
 *
 * <p>Single-threaded (simulation thread). Each completion is also noted in the simulation trace.
 */
public final class History {
  private final Simulation sim;
  private final List<Pending> ops = new ArrayList<>();

  private static final class Pending {
    final int process;
    final Kind kind;
    final String key;
    final String value;
    final long expectedVersion;
    final long callNanos;
    Operation done;

    Pending(
        int process, Kind kind, String key, String value, long expectedVersion, long callNanos) {
      this.process = process;
      this.kind = kind;
      this.key = key;
      this.value = value;
      this.expectedVersion = expectedVersion;
      this.callNanos = callNanos;
    }

    Operation complete(Status status, boolean applied, String readValue, long version, long now) {
      String v = kind == Kind.GET ? readValue : value;
      return new Operation(
          process,
          kind,
          key,
          status == Status.OK || kind != Kind.GET ? v : null,
          expectedVersion,
          status,
          status == Status.OK && applied,
          status == Status.OK ? version : -1,
          callNanos,
          now);
    }
  }

  /** A history whose times come from {@code sim}. */
  public History(Simulation sim) {
    this.sim = sim;
  }

  /** Records an invocation; returns its handle for the completion. */
  public int invoke(int process, Kind kind, String key, String value, long expectedVersion) {
    ops.add(new Pending(process, kind, key, value, expectedVersion, sim.nowNanos()));
    return ops.size() - 1;
  }

  /** Records a successful completion (see {@link Operation} for the meaning of the fields). */
  public void ok(int handle, boolean applied, String readValue, long version) {
    finish(handle, Status.OK, applied, readValue, version);
  }

  /** Records that the operation was definitely not applied. */
  public void fail(int handle) {
    finish(handle, Status.FAIL, false, null, -1);
  }

  /** Records that the outcome is unknown. */
  public void unknown(int handle) {
    finish(handle, Status.UNKNOWN, false, null, -1);
  }

  /** Whether the operation has completed. */
  public boolean isDone(int handle) {
    return ops.get(handle).done != null;
  }

  private void finish(int handle, Status status, boolean applied, String readValue, long version) {
    Pending p = ops.get(handle);
    if (p.done != null) {
      throw new IllegalStateException("completed twice: " + p.done);
    }
    p.done = p.complete(status, applied, readValue, version, sim.nowNanos());
    sim.scheduler().note("op " + p.done);
  }

  /** The number of operations invoked. */
  public int size() {
    return ops.size();
  }

  /** Every operation in invocation order; pending ones as unknown, returning now. */
  public List<Operation> operations() {
    List<Operation> out = new ArrayList<>(ops.size());
    for (Pending p : ops) {
      out.add(
          p.done != null ? p.done : p.complete(Status.UNKNOWN, false, null, -1, sim.nowNanos()));
    }
    return out;
  }
}
