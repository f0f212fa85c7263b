package io.kvstore.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs the README's embedding snippet and checks every result it prints. */
class EmbeddedExampleTest {
  @Test
  void readmeSnippetRunsAndPrintsTheExpectedResults() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      EmbeddedExample.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "get greeting: hello",
            "cas with current version: true, with stale version: false",
            "lease taken: true, taken again: false",
            "deleted greeting: true",
            "greeting present: false",
            "user/42/name: Ada");
  }
}
