package io.kvstore.examples.bench;

import picocli.CommandLine;

/**
 * Runs the load generator on its own: {@code java -cp <jar> io.kvstore.examples.bench.BenchMain
 * --help}.
 */
public final class BenchMain {
  private BenchMain() {}

  /** Parses the flags of {@link BenchCommand}, runs it and exits with its status. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }
}
