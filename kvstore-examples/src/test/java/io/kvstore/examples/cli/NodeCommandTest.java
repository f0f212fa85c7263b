package io.kvstore.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.examples.node.NodeSettings;
import io.kvstore.spi.Endpoint;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

class NodeCommandTest {
  private static NodeSettings settings(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "node";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRunner.parse(env, NodeCommand.class, all).settings();
  }

  private static NodeSettings settings(String... args) {
    return settings(Map.of(), args);
  }

  @Test
  void defaults() {
    NodeSettings s = settings();
    assertThat(s.httpPort()).isEqualTo(8000);
    assertThat(s.clusterPort()).isEqualTo(9000);
    assertThat(s.nodeId()).contains("node-8000");
    assertThat(s.bindHost()).isEqualTo("0.0.0.0");
    assertThat(s.advertiseHost()).isEqualTo("127.0.0.1");
    assertThat(s.seeds()).isEmpty();
    assertThat(s.bootstrapExpect()).isEqualTo(1);
    assertThat(s.multiNode()).isFalse();
    assertThat(s.partitions()).isEqualTo(256);
    assertThat(s.maxValueBytes()).isEqualTo(1024 * 1024);
    assertThat(s.httpUrl(8000)).isEqualTo("http://127.0.0.1:8000");
    assertThat(s.clusterEndpoint()).hasToString("127.0.0.1:9000");
    assertThat(s.deadMemberGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.httpThreads()).isZero();
  }

  @Test
  void httpThreadsAreParsedAndValidated() {
    assertThat(settings("--http-threads", "4").httpThreads()).isEqualTo(4);
    assertUsageError("--http-threads must be in 0..64, got -1", "node", "--http-threads", "-1");
    assertUsageError("--http-threads must be in 0..64, got 65", "node", "--http-threads", "65");
  }

  @Test
  void deadMemberGraceTakesAUnit() {
    assertThat(settings("--dead-member-grace", "3s").deadMemberGrace())
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(settings("--dead-member-grace", "500ms").deadMemberGrace())
        .isEqualTo(Duration.ofMillis(500));
    assertThat(settings("--dead-member-grace", "2m").deadMemberGrace())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(settings("--dead-member-grace=45").deadMemberGrace())
        .isEqualTo(Duration.ofSeconds(45));
    assertThat(settings("--dead-member-grace", "0s").deadMemberGrace()).isZero();
  }

  @Test
  void badDeadMemberGraceIsAUsageError() {
    assertUsageError(
        "invalid --dead-member-grace 'soon': expected a non-negative duration such as 30s, 500ms"
            + " or 2m",
        "node",
        "--dead-member-grace",
        "soon");
    assertUsageError("invalid --dead-member-grace '-3s'", "node", "--dead-member-grace=-3s");
    assertUsageError("invalid --dead-member-grace '3 weeks'", "node", "--dead-member-grace", "3 weeks");
    assertUsageError("invalid --dead-member-grace ''", "node", "--dead-member-grace=");
    assertUsageError("Missing required parameter", "node", "--dead-member-grace");
  }

  @Test
  void httpPortComesFromPortEnvironmentVariable() {
    NodeSettings s = settings(Map.of("PORT", "8123"));
    assertThat(s.httpPort()).isEqualTo(8123);
    assertThat(s.clusterPort()).isEqualTo(9123);
    assertThat(s.nodeId()).contains("node-8123");
  }

  @Test
  void flagBeatsPortEnvironmentVariable() {
    assertThat(settings(Map.of("PORT", "8123"), "--http-port", "8200").httpPort()).isEqualTo(8200);
  }

  @Test
  void blankPortEnvironmentVariableMeansDefault() {
    assertThat(settings(Map.of("PORT", " ")).httpPort()).isEqualTo(8000);
  }

  @Test
  void invalidPortEnvironmentVariableIsAUsageError() {
    CliRunner.Result r = CliRunner.run(Map.of("PORT", "eighty"), "node");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("invalid $PORT 'eighty'");
    CliRunner.Result high = CliRunner.run(Map.of("PORT", "70000"), "node");
    assertThat(high.exitCode()).isEqualTo(2);
    assertThat(high.err()).contains("$PORT must be 0-65535, got 70000");
  }

  @Test
  void explicitPortsAndIds() {
    NodeSettings s =
        settings(
            "--node-id",
            "alpha.1",
            "--http-port",
            "7000",
            "--cluster-port",
            "7100",
            "--bind",
            "127.0.0.1",
            "--partitions",
            "64",
            "--max-value-bytes",
            "4096");
    assertThat(s.nodeId()).contains("alpha.1");
    assertThat(s.httpPort()).isEqualTo(7000);
    assertThat(s.clusterPort()).isEqualTo(7100);
    assertThat(s.advertiseHost()).isEqualTo("127.0.0.1");
    assertThat(s.partitions()).isEqualTo(64);
    assertThat(s.maxValueBytes()).isEqualTo(4096);
  }

  @Test
  void advertiseHostOverridesTheUrlHost() {
    NodeSettings s = settings("--advertise-host", "node1", "--http-port", "8000");
    assertThat(s.bindHost()).isEqualTo("0.0.0.0");
    assertThat(s.httpUrl(8000)).isEqualTo("http://node1:8000");
    assertThat(settings("--bind", "::").advertiseHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void portZeroPicksFreePortsAndLeavesTheNameToTheStore() {
    NodeSettings s = settings("--http-port", "0");
    assertThat(s.httpPort()).isZero();
    assertThat(s.clusterPort()).isZero();
    assertThat(s.nodeId()).isEqualTo(Optional.empty());
  }

  @Test
  void portsOutOfRangeAreUsageErrors() {
    assertUsageError("--http-port must be 0-65535, got 70000", "node", "--http-port", "70000");
    assertUsageError("--http-port must be 0-65535, got -1", "node", "--http-port", "-1");
    assertUsageError("--cluster-port must be 0-65535", "node", "--cluster-port", "65536");
    assertUsageError("'abc' is not an int", "node", "--http-port", "abc");
    assertUsageError(
        "the default cluster port (HTTP port + 1000 = 65600) is out of range; set --cluster-port",
        "node",
        "--http-port",
        "64600");
    assertUsageError(
        "--cluster-port must differ", "node", "--http-port", "8000", "--cluster-port", "8000");
  }

  @Test
  void defaultClusterPortOutOfRangeIsFineWhenGivenExplicitly() {
    assertThat(settings("--http-port", "64600", "--cluster-port", "9000").clusterPort())
        .isEqualTo(9000);
  }

  @Test
  void badSeedsAreUsageErrors() {
    assertUsageError("invalid --seeds entry 'nohost'", "node", "--seeds", "nohost");
    assertUsageError("invalid --seeds entry 'h:99999'", "node", "--seeds", "h:99999");
    assertUsageError("invalid --seeds entry 'h:x'", "node", "--seeds", "h:x");
    assertUsageError("invalid --seeds entry 'h:0'", "node", "--seeds", "a:1,h:0");
  }

  @Test
  void otherInvalidValuesAreUsageErrors() {
    assertUsageError("--bootstrap-expect must be at least 1", "node", "--bootstrap-expect", "0");
    assertUsageError("invalid --node-id 'a b'", "node", "--node-id", "a b");
    assertUsageError("invalid --node-id '-x'", "node", "--node-id=-x");
    assertUsageError("--partitions must be positive", "node", "--partitions", "0");
    assertUsageError("--max-value-bytes must be positive", "node", "--max-value-bytes", "-5");
    assertUsageError("Unknown options: '--replicas', '3'", "node", "--replicas", "3");
  }

  @Test
  void seedsAndBootstrapExpectAreParsedAndValidated() {
    NodeSettings s = settings("--seeds", "10.0.0.2:9000,[::1]:9001", "--bootstrap-expect", "3");
    assertThat(s.seeds())
        .containsExactly(new Endpoint("10.0.0.2", 9000), new Endpoint("::1", 9001));
    assertThat(s.bootstrapExpect()).isEqualTo(3);
    assertThat(s.multiNode()).isTrue();
    assertThat(settings("--seeds", "a:1").multiNode()).isTrue();
    assertThat(settings("--bootstrap-expect", "2").multiNode()).isTrue();
  }

  @Test
  void validationRunsBeforeTheRefusal() {
    assertUsageError(
        "invalid --seeds entry 'x'", "node", "--seeds", "x", "--bootstrap-expect", "3");
  }

  @Test
  void portInUseIsAOneLineFailureWithExitCodeOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(taken.getLocalPort());
      CliRunner.Result r =
          CliRunner.run("node", "--bind", "127.0.0.1", "--http-port", port, "--cluster-port", "0");
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo(
              "kvstore node: cannot listen on 127.0.0.1:"
                  + port
                  + ": address already in use (choose another --http-port)"
                  + System.lineSeparator());
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void settingsRejectsInvalidValuesDirectly() {
    assertThatThrownBy(
            () ->
                new NodeSettings(
                    Optional.empty(), "0.0.0.0", "127.0.0.1", 70000, 0, List.of(), 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new NodeSettings(
                    Optional.empty(),
                    "0.0.0.0",
                    "127.0.0.1",
                    8000,
                    0,
                    List.of(),
                    1,
                    1,
                    1,
                    Duration.ofSeconds(-1),
                    0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CliRunner.parse(Map.of(), NodeCommand.class, "node", "--x"))
        .isInstanceOf(ParameterException.class);
  }

  private static void assertUsageError(String message, String... args) {
    CliRunner.Result r = CliRunner.run(args);
    assertThat(r.exitCode()).as("exit code of %s", List.of(args)).isEqualTo(2);
    assertThat(r.err()).as("stderr of %s", List.of(args)).contains(message).contains("Usage:");
    assertThat(r.out()).isEmpty();
  }
}
