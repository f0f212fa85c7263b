package io.kvstore.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.examples.node.NodeSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KvstoreCliTest {
  @Test
  void topLevelHelpListsTheCommands() {
    CliRunner.Result r = CliRunner.run("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Usage: kvstore", "node", "cluster", "--version");
  }

  @Test
  void nodeHelpDescribesEveryFlag() {
    CliRunner.Result r = CliRunner.run("node", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .contains(
            "--node-id=ID",
            "--http-port=PORT",
            "PORT environment variable",
            "--cluster-port=PORT",
            "HTTP port +",
            "--seeds=HOST:PORT",
            "--bootstrap-expect=N",
            "--bind=ADDR",
            "(default: 0.0.0.0",
            "--advertise-host=HOST",
            "--max-value-bytes=BYTES",
            "--partitions=N",
            "--dead-member-grace=DURATION",
            "(default: 30s)",
            "'ready'",
            "'stopped'")
        .doesNotContain("--parent-pid");
    // The footer explains joining and stopping (compared with its line breaks as spaces).
    assertThat(r.out().replaceAll("\\s+", " "))
        .contains(
            "--seeds without --bootstrap-expect joins a running cluster",
            "restarting a node with its original flags rejoins it",
            "\"safe_to_stop\": true");
  }

  @Test
  void clusterHelpDescribesEveryFlag() {
    CliRunner.Result r = CliRunner.run("cluster", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .contains(
            "--nodes=N",
            "(default: 3)",
            "--base-port=P",
            "(default: 8000)",
            "--bind=ADDR",
            "--dead-member-grace=DURATION");
  }

  @Test
  void unknownCommandOrFlagIsAUsageErrorOnStderr() {
    CliRunner.Result cmd = CliRunner.run("serve");
    assertThat(cmd.exitCode()).isEqualTo(2);
    assertThat(cmd.err()).contains("Unmatched argument", "Usage: kvstore");
    assertThat(cmd.out()).isEmpty();

    CliRunner.Result flag = CliRunner.run("--verbose");
    assertThat(flag.exitCode()).isEqualTo(2);
    assertThat(flag.err()).contains("Unknown option: '--verbose'", "Usage: kvstore");
  }

  @Test
  void noCommandIsAUsageError() {
    CliRunner.Result r = CliRunner.run();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing command", "Usage: kvstore");
  }

  @Test
  void clusterFlagsAreValidated() {
    assertUsage("--nodes must be 1-32, got 0", "cluster", "--nodes", "0");
    assertUsage("--nodes must be 1-32, got 33", "cluster", "--nodes", "33");
    assertUsage(
        "--base-port must be 1-65535, got 0", "cluster", "--nodes", "1", "--base-port", "0");
    assertUsage(
        "the last cluster port would be 65537", "cluster", "--nodes", "2", "--base-port", "64536");
    assertUsage(
        "invalid --dead-member-grace 'later'", "cluster", "--dead-member-grace", "later");
  }

  @Test
  void clusterWiresEveryNodeToTheOthers() {
    ClusterCommand cluster =
        CliRunner.parse(
            Map.of(), ClusterCommand.class, "cluster", "--nodes", "3", "--base-port", "7000");
    List<String> args = cluster.nodeArgs(1, 4242);
    assertThat(args)
        .containsExactly(
            "node",
            "--node-id",
            "node-2",
            "--http-port",
            "7001",
            "--cluster-port",
            "8001",
            "--bind",
            "127.0.0.1",
            "--seeds",
            "127.0.0.1:8000,127.0.0.1:8002",
            "--bootstrap-expect",
            "3",
            "--parent-pid",
            "4242");
    // The generated arguments are valid node flags.
    NodeSettings s =
        CliRunner.parse(Map.of(), NodeCommand.class, args.toArray(String[]::new)).settings();
    assertThat(s.httpPort()).isEqualTo(7001);
    assertThat(s.clusterPort()).isEqualTo(8001);
    assertThat(s.seeds()).hasSize(2);
    assertThat(s.multiNode()).isTrue();
  }

  @Test
  void clusterPassesTheDeadMemberGraceToEveryNode() {
    ClusterCommand cluster =
        CliRunner.parse(
            Map.of(),
            ClusterCommand.class,
            "cluster",
            "--nodes",
            "2",
            "--base-port",
            "7000",
            "--dead-member-grace",
            "3s");
    for (int i = 0; i < 2; i++) {
      List<String> args = cluster.nodeArgs(i, 1);
      assertThat(args).containsSequence("--dead-member-grace", "3s");
      NodeSettings s =
          CliRunner.parse(Map.of(), NodeCommand.class, args.toArray(String[]::new)).settings();
      assertThat(s.deadMemberGrace()).isEqualTo(Duration.ofSeconds(3));
    }
  }

  @Test
  void singleNodeClusterHasNoSeeds() {
    ClusterCommand cluster =
        CliRunner.parse(Map.of(), ClusterCommand.class, "cluster", "--nodes", "1");
    List<String> args = cluster.nodeArgs(0, 1);
    assertThat(args).doesNotContain("--seeds").containsSequence("--bootstrap-expect", "1");
    NodeSettings s =
        CliRunner.parse(Map.of(), NodeCommand.class, args.toArray(String[]::new)).settings();
    assertThat(s.multiNode()).isFalse();
    assertThat(s.httpPort()).isEqualTo(8000);
    assertThat(s.clusterPort()).isEqualTo(9000);
  }

  @Test
  void childJavaCommandRunsTheCliWithThisClassPath() {
    List<String> cmd = ClusterCommand.javaCommand();
    assertThat(cmd.get(0)).endsWith("java");
    assertThat(cmd).containsSequence("-cp", System.getProperty("java.class.path"));
    assertThat(cmd.get(cmd.size() - 1)).isEqualTo(KvstoreCli.class.getName());
    assertThat(cmd).noneMatch(a -> a.startsWith("-agentlib:") || a.startsWith("-javaagent:"));
  }

  private static void assertUsage(String message, String... args) {
    CliRunner.Result r = CliRunner.run(args);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(message, "Usage:");
  }
}
