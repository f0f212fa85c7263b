package io.kvstore.sim;

import io.kvstore.sim.Operation.Kind;
import io.kvstore.sim.Operation.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes histories as JSON lines, one operation per line, in the project's fixed export form:
 *
 * <pre>{"process":int,"op":"put|get|delete|cas","key":str,"value":str|null,
 * "expected":str|null,"ok":true|false|null,"call_ns":int,"return_ns":int}</pre>
 *
 * <ul>
 *   <li>{@code value}: the value written (put, cas) or read (get; null = absent); null for delete.
 *   <li>{@code expected}: for cas, the expected <em>version</em> as a decimal string ("0" = the key
 *       must be absent); null otherwise. Put-if-absent is exported as a cas expecting "0", which is
 *       what it is in the store.
 *   <li>{@code ok}: true = completed and took effect (a get that completed; a delete that found the
 *       key; a cas that wrote); false = definitely not applied (failed, or a cas/delete that did
 *       not match, or a read that failed); null = unknown outcome.
 *   <li>{@code call_ns}, {@code return_ns}: virtual nanoseconds; for an unknown outcome, return_ns
 *       is when the client gave up.
 * </ul>
 *
 * <p>Versions produced and read are not part of this form; the in-process checker uses them.
 */
public final class HistoryJson {
  private HistoryJson() {}

  /** One operation as one JSON line (without the newline). */
  public static String line(Operation o) {
    StringBuilder sb = new StringBuilder(128);
    sb.append("{\"process\":").append(o.process());
    sb.append(",\"op\":");
    string(sb, opName(o.kind()));
    sb.append(",\"key\":");
    string(sb, o.key());
    sb.append(",\"value\":");
    string(sb, o.value());
    sb.append(",\"expected\":");
    String expected = null;
    if (o.kind() == Kind.CAS) {
      expected = Long.toString(o.expectedVersion());
    } else if (o.kind() == Kind.PUT_IF_ABSENT) {
      expected = "0";
    }
    string(sb, expected);
    sb.append(",\"ok\":");
    if (o.status() == Status.UNKNOWN) {
      sb.append("null");
    } else {
      sb.append(o.status() == Status.OK && o.applied());
    }
    sb.append(",\"call_ns\":").append(o.callNanos());
    sb.append(",\"return_ns\":").append(o.returnNanos());
    sb.append('}');
    return sb.toString();
  }

  private static String opName(Kind k) {
    switch (k) {
      case GET:
        return "get";
      case PUT:
        return "put";
      case DELETE:
        return "delete";
      default:
        return "cas";
    }
  }

  /** Writes {@code ops} sorted by call time to {@code file}, creating parent folders. */
  public static void write(List<Operation> ops, Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        List<Operation> sorted = new java.util.ArrayList<>(ops);
        sorted.sort((a, b) -> Long.compare(a.callNanos(), b.callNanos()));
        for (Operation o : sorted) {
          w.write(line(o));
          w.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Appends {@code s} as a JSON string literal (or null), escaped per RFC 8259. */
  static void string(StringBuilder sb, String s) {
    if (s == null) {
      sb.append("null");
      return;
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        case '\b':
          sb.append("\\b");
          break;
        case '\f':
          sb.append("\\f");
          break;
        default:
          if (c < 0x20
              || c == 0x2028
              || c == 0x2029
              || Character.isSurrogate(c) && !validPair(s, i)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }

  /** Whether the surrogate at {@code i} is half of a valid pair (lone halves are escaped). */
  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
