package io.kvstore.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** Runs the command line in-process with a given environment and captures its output. */
final class CliRunner {
  record Result(int exitCode, String out, String err) {}

  private CliRunner() {}

  static Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = KvstoreCli.commandLine(env::get);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  static Result run(String... args) {
    return run(Map.of(), args);
  }

  /** Parses without running and returns the chosen subcommand's object. */
  static <T> T parse(Map<String, String> env, Class<T> type, String... args) {
    CommandLine.ParseResult pr = KvstoreCli.commandLine(env::get).parseArgs(args);
    return type.cast(pr.subcommand().commandSpec().userObject());
  }
}
