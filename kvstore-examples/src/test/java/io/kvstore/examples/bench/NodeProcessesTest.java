package io.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --spawn-nodes} with a stand-in node jar: the command line, readiness, kill and stop. */
class NodeProcessesTest {
  private static Path fakeNodeJar(Path dir) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeNodeMain.class.getName());
    Path jar = dir.resolve("fake-node.jar");
    String entry = FakeNodeMain.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest)) {
      out.putNextEntry(new JarEntry(entry));
      try (var in = FakeNodeMain.class.getClassLoader().getResourceAsStream(entry)) {
        in.transferTo(out);
      }
      out.closeEntry();
    }
    return jar;
  }

  @Test
  void startsSeededNodesKillsTheLastAndStopsTheRest(@TempDir Path dir) throws Exception {
    Path logs = dir.resolve("logs");
    NodeProcesses nodes = NodeProcesses.start(2, fakeNodeJar(dir), logs);
    try {
      assertThat(nodes.urls()).hasSize(2);
      String first = Files.readString(logs.resolve("node-1.log"));
      String second = Files.readString(logs.resolve("node-2.log"));
      assertThat(first).contains("args: node --node-id bench-n1 --http-port ", "--bind 127.0.0.1");
      assertThat(first).contains("--bootstrap-expect 2");
      // Each node is seeded with the other's cluster port.
      assertThat(seeds(first)).isEqualTo(clusterPort(second));
      assertThat(seeds(second)).isEqualTo(clusterPort(first));
      assertThat(nodes.urls().get(0).toString()).endsWith(":" + httpPort(first));

      NodeKiller killer = nodes.killerOfLast();
      assertThat(killer.kill()).startsWith("node 2 (pid ");
      assertThatThrownBy(
              () -> {
                // Bounded: the kill is SIGKILL, so the second attempt finds it dead within 10 s.
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < deadline) {
                  killer.kill();
                  Thread.sleep(50);
                }
              })
          .isInstanceOf(IllegalStateException.class);
    } finally {
      nodes.close();
    }
  }

  @Test
  void aMissingJarIsReported(@TempDir Path dir) {
    assertThatThrownBy(() -> NodeProcesses.start(1, dir.resolve("none.jar"), dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("node jar not found");
  }

  private static String value(String log, String flag) {
    Matcher m = Pattern.compile(flag + " (\\S+)").matcher(log);
    assertThat(m.find()).as(flag).isTrue();
    return m.group(1);
  }

  private static String seeds(String log) {
    return value(log, "--seeds").replace("127.0.0.1:", "");
  }

  private static String clusterPort(String log) {
    return value(log, "--cluster-port");
  }

  private static String httpPort(String log) {
    return value(log, "--http-port");
  }
}
