package io.kvstore.sim;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * Renders messages and values for the event trace without anything that varies between JVM runs:
 * records component by component, byte arrays by content (a record's own {@code toString} would
 * print an array's identity hash), collections element by element. Other objects use {@code
 * toString}, which must then be deterministic.
 */
final class TraceFormat {
  private TraceFormat() {}

  static String describe(Object o) {
    StringBuilder sb = new StringBuilder();
    append(sb, o, 0);
    return sb.toString();
  }

  private static void append(StringBuilder sb, Object o, int depth) {
    if (depth > 6) {
      sb.append("...");
    } else if (o == null) {
      sb.append("null");
    } else if (o instanceof byte[] b) {
      sb.append("bytes(").append(b.length).append(':').append(Arrays.hashCode(b)).append(')');
    } else if (o instanceof Record r) {
      sb.append(r.getClass().getSimpleName()).append('[');
      RecordComponent[] cs = r.getClass().getRecordComponents();
      for (int i = 0; i < cs.length; i++) {
        if (i > 0) {
          sb.append(", ");
        }
        try {
          cs[i].getAccessor().setAccessible(true);
          append(sb, cs[i].getAccessor().invoke(r), depth + 1);
        } catch (ReflectiveOperationException | RuntimeException e) {
          sb.append('?');
        }
      }
      sb.append(']');
    } else if (o instanceof Collection<?> c) {
      sb.append('[');
      boolean first = true;
      for (Object x : c) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        append(sb, x, depth + 1);
      }
      sb.append(']');
    } else if (o instanceof Map<?, ?> m) {
      sb.append("map(").append(m.size()).append(')');
    } else {
      sb.append(o);
    }
  }
}
