package io.kvstore.examples.bench;

import java.util.Optional;

/** Kills one node mid-run, for the availability measurement. */
interface NodeKiller {
  /**
   * Kills the node with SIGKILL (no graceful leave) and returns what was killed, for the report.
   *
   * @throws IllegalStateException if there was nothing to kill
   */
  String kill();

  /** Kills the process {@code pid}; it must be alive when the kill is due. */
  static NodeKiller pid(long pid) {
    return () -> {
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isEmpty() || !p.get().isAlive()) {
        throw new IllegalStateException("no live process " + pid);
      }
      p.get().destroyForcibly();
      return "pid " + pid;
    };
  }
}
