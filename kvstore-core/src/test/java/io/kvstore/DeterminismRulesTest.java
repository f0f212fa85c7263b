package io.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Source rules that keep the protocol cores deterministic and the core module free of I/O
 * libraries, so the simulator can run them on virtual time and replay any seed.
 */
class DeterminismRulesTest {
  private static final Path MAIN = Path.of("src/main/java/io/kvstore");

  /** Packages that hold protocol cores: no wall clock, threads or unseeded randomness. */
  private static final List<String> CORE_PACKAGES =
      List.of("internal/membership", "internal/replication", "internal/partition", "internal/ops",
          "internal/storage");

  private static final Pattern BANNED_IN_CORES =
      Pattern.compile(
          "System\\.nanoTime|System\\.currentTimeMillis|Instant\\.now|Thread\\.sleep|new Thread\\("
              + "|Executors\\.|parallelStream|Math\\.random|new Random\\(|ThreadLocalRandom"
              + "|UUID\\.randomUUID|\\bsynchronized\\b");

  private static final Pattern BANNED_EVERYWHERE = Pattern.compile("import (io\\.netty|com\\.google\\.protobuf)");

  @Test
  void protocolCoresUseOnlyInjectedTimeThreadsAndRandomness() throws IOException {
    List<String> violations = new ArrayList<>();
    for (String pkg : CORE_PACKAGES) {
      scan(MAIN.resolve(pkg), BANNED_IN_CORES, violations);
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void coreModuleDoesNotDependOnNettyOrProtobuf() throws IOException {
    List<String> violations = new ArrayList<>();
    scan(MAIN, BANNED_EVERYWHERE, violations);
    assertThat(violations).isEmpty();
  }

  @Test
  void theRulesCatchAViolation() {
    assertThat(BANNED_IN_CORES.matcher("long t = System.nanoTime();").find()).isTrue();
    assertThat(BANNED_EVERYWHERE.matcher("import io.netty.buffer.ByteBuf;").find()).isTrue();
  }

  private static void scan(Path dir, Pattern banned, List<String> violations) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).trim();
          if (line.startsWith("//") || line.startsWith("*") || line.startsWith("/*")) {
            continue;
          }
          if (banned.matcher(line).find()) {
            violations.add(f + ":" + (i + 1) + ": " + line);
          }
        }
      }
    }
  }
}
