package io.kvstore.examples.cli;

import java.io.PrintWriter;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code kvstore} command: the main class of the shaded jar and of {@code bin/kvstore}.
 *
 * <p>Exit codes: 0 success or graceful stop; 1 runtime failure (for example a port in use); 2 usage
 * error (unknown command or flag, invalid value) or a request this release refuses.
 */
@Command(
    name = "kvstore",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Embedded, strongly consistent in-memory key-value store: standalone launcher.",
    subcommands = {
      NodeCommand.class,
      ClusterCommand.class,
      RecoverCommand.class,
      io.kvstore.examples.bench.BenchCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class KvstoreCli implements Callable<Integer> {
  @Spec private CommandSpec spec;

  private KvstoreCli() {}

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    ProcessExit.exit(commandLine(System::getenv).execute(args));
  }

  /**
   * The command line with environment lookups going through {@code env} (tests pass a map).
   * Subcommands are created by a factory that hands them {@code env}.
   */
  public static CommandLine commandLine(Function<String, String> env) {
    Objects.requireNonNull(env, "env");
    CommandLine cl = new CommandLine(new KvstoreCli(), new Factory(env));
    cl.setParameterExceptionHandler(KvstoreCli::usageError);
    return cl;
  }

  /** Any usage error: the message, suggestions if any, and the usage, on stderr; exit 2. */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println(e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    cl.usage(err);
    err.flush();
    return CommandLine.ExitCode.USAGE;
  }

  /** Without a subcommand: the usage, on stderr, as a usage error. */
  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("Missing command: choose one of " + spec.subcommands().keySet());
    spec.commandLine().usage(err);
    return CommandLine.ExitCode.USAGE;
  }

  /** Creates subcommands, giving the environment lookup to those that read it. */
  private static final class Factory implements CommandLine.IFactory {
    private final Function<String, String> env;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    Factory(Function<String, String> env) {
      this.env = env;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == NodeCommand.class) {
        return cls.cast(new NodeCommand(env));
      }
      return fallback.create(cls);
    }
  }
}
