package io.kvstore.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.sim.Operation.Kind;
import io.kvstore.sim.Operation.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON lines export has exactly the documented form. */
final class HistoryJsonTest {

  @Test
  void exactFormOfEachKind() {
    assertThat(HistoryJson.line(Operation.put(3, "k", "v1", 4, 10, 20)))
        .isEqualTo(
            "{\"process\":3,\"op\":\"put\",\"key\":\"k\",\"value\":\"v1\",\"expected\":null,"
                + "\"ok\":true,\"call_ns\":10,\"return_ns\":20}");
    assertThat(HistoryJson.line(Operation.get(1, "k", null, 0, 5, 6)))
        .isEqualTo(
            "{\"process\":1,\"op\":\"get\",\"key\":\"k\",\"value\":null,\"expected\":null,"
                + "\"ok\":true,\"call_ns\":5,\"return_ns\":6}");
    assertThat(HistoryJson.line(Operation.cas(2, "k", 7, "x", false, -1, 1, 2)))
        .isEqualTo(
            "{\"process\":2,\"op\":\"cas\",\"key\":\"k\",\"value\":\"x\",\"expected\":\"7\","
                + "\"ok\":false,\"call_ns\":1,\"return_ns\":2}");
    assertThat(HistoryJson.line(Operation.putIfAbsent(2, "k", "x", true, 1, 1, 2)))
        .contains("\"op\":\"cas\"", "\"expected\":\"0\"", "\"ok\":true");
    assertThat(HistoryJson.line(Operation.delete(2, "k", true, 1, 2)))
        .contains("\"op\":\"delete\"", "\"value\":null", "\"ok\":true");
    assertThat(HistoryJson.line(Operation.put(3, "k", "v1", 4, 10, 20).unknown()))
        .contains("\"ok\":null", "\"value\":\"v1\"");
    assertThat(HistoryJson.line(Operation.put(3, "k", "v1", 4, 10, 20).failed()))
        .contains("\"ok\":false");
    Operation unknownGet =
        new Operation(1, Kind.GET, "k", null, 0, Status.UNKNOWN, false, -1, 1, 2);
    assertThat(HistoryJson.line(unknownGet)).contains("\"value\":null", "\"ok\":null");
  }

  @Test
  void escapesAnyString() {
    String nasty = "q\"b\\s/\n\r\t\b\f\u0001\u001f\u2028é😀" + "\ud800x";
    String line = HistoryJson.line(Operation.put(0, nasty, nasty, 1, 0, 1));
    String expected = "\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f\\u2028é😀\\ud800x\"";
    assertThat(line).contains("\"key\":" + expected + ",\"value\":" + expected + ",");
    assertThat(line.chars().filter(c -> c < 0x20).count()).isZero();
  }

  @Test
  void writesOneLinePerOperationSortedByCall(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("sub").resolve("h.jsonl");
    HistoryJson.write(
        List.of(Operation.put(1, "k", "b", 2, 30, 40), Operation.put(0, "k", "a", 1, 10, 20)),
        file);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"value\":\"a\"");
    assertThat(lines.get(1)).contains("\"value\":\"b\"");
  }
}
