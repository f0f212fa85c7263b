package io.kvstore.examples.cli;

/**
 * Decides the exit status when a shutdown hook runs. A JVM stopped by SIGTERM or SIGINT exits with
 * status 143 or 130 once its hooks finish; a graceful stop should exit with 0, so the hooks halt
 * with 0 themselves, unless the program had already chosen its own status through {@link
 * #exit(int)}.
 */
final class ProcessExit {
  private static boolean programExit;
  private static boolean hookStarted;

  private ProcessExit() {}

  /**
   * Exits with {@code status}. If a shutdown hook is already stopping the process (a signal came
   * first), the hook decides the status and this call blocks until the JVM ends.
   */
  static void exit(int status) {
    synchronized (ProcessExit.class) {
      if (!hookStarted) {
        programExit = true;
      }
    }
    System.exit(status);
  }

  /** Whether a shutdown hook is stopping the process already. */
  static synchronized boolean stopping() {
    return hookStarted;
  }

  /** Called first by a shutdown hook. */
  static synchronized void hookStarted() {
    hookStarted = true;
  }

  /**
   * Called last by a shutdown hook after a graceful stop: ends the JVM with status 0 unless the
   * program itself chose the status with {@link #exit(int)}.
   */
  static void finishGracefulStop() {
    boolean halt;
    synchronized (ProcessExit.class) {
      halt = !programExit;
    }
    if (halt) {
      Runtime.getRuntime().halt(0);
    }
  }
}
