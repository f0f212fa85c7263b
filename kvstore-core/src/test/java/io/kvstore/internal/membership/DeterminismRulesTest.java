package io.kvstore.internal.membership;

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
 * The membership package must stay deterministic (STYLE §2.3): no wall clock, no threads of its
 * own, no unseeded randomness, no hash-order iteration, no Netty or protobuf.
 */
class DeterminismRulesTest {
  private static final Path SOURCES = Path.of("src/main/java/io/kvstore/internal/membership");

  private static final List<Pattern> BANNED = List.of(
      Pattern.compile("System\\.nanoTime"),
      Pattern.compile("System\\.currentTimeMillis"),
      Pattern.compile("Instant\\.now"),
      Pattern.compile("Thread\\.sleep"),
      Pattern.compile("new Thread\\b"),
      Pattern.compile("Executors\\."),
      Pattern.compile("parallelStream"),
      Pattern.compile("Math\\.random"),
      Pattern.compile("new Random\\("),
      Pattern.compile("ThreadLocalRandom"),
      Pattern.compile("UUID\\.randomUUID"),
      Pattern.compile("(?<!Linked)\\bHashMap\\b"),
      Pattern.compile("(?<!Linked)\\bHashSet\\b"),
      Pattern.compile("\\bSet\\.of\\b"),
      Pattern.compile("io\\.netty"),
      Pattern.compile("com\\.google\\.protobuf"));

  @Test
  void membershipSourcesUseNoBannedApis() throws IOException {
    assertThat(SOURCES).isDirectory();
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (line.trim().startsWith("*") || line.trim().startsWith("//")) {
            continue;
          }
          for (Pattern p : BANNED) {
            if (p.matcher(line).find()) {
              violations.add(f.getFileName() + ":" + (i + 1) + " " + p.pattern());
            }
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }
}
