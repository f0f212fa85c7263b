package io.kvstore.http;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request and connection counters of one adapter, rendered in the Prometheus text format. Plain
 * {@link LongAdder}s: cheap to bump from any thread, summed only when scraped.
 *
 * <p>Thread-safe.
 */
final class HttpMetrics {
  /** The route label of a request. */
  enum Route {
    KV_GET,
    KV_PUT,
    KV_DELETE,
    HEALTH,
    CLUSTER,
    CLUSTER_MEMBERS,
    CLUSTER_MEMBER_DELETE,
    CLUSTER_RECOVER,
    METRICS,
    /** Unknown routes, wrong methods and requests that could not be parsed. */
    OTHER;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private final LongAdder[][] requests = new LongAdder[Route.values().length][5];
  private final LongAdder inFlight = new LongAdder();
  private final LongAdder idleClosed = new LongAdder();
  private final LongAdder internalErrors = new LongAdder();

  HttpMetrics() {
    for (LongAdder[] row : requests) {
      for (int i = 0; i < row.length; i++) {
        row[i] = new LongAdder();
      }
    }
  }

  void requestStarted() {
    inFlight.increment();
  }

  void requestFinished() {
    inFlight.decrement();
  }

  /** Counts an answered request. */
  void answered(Route route, int status) {
    int cls = Math.min(4, Math.max(0, status / 100 - 1));
    requests[route.ordinal()][cls].increment();
  }

  void idleConnectionClosed() {
    idleClosed.increment();
  }

  void internalError() {
    internalErrors.increment();
  }

  long requestCount(Route route, int statusClass) {
    return requests[route.ordinal()][statusClass - 1].sum();
  }

  /** The Prometheus text exposition (format 0.0.4). */
  String render(ConnectionLimiter connections) {
    StringBuilder out = new StringBuilder(2048);
    header(
        out,
        "kvstore_http_requests_total",
        "counter",
        "HTTP requests answered, by route and status class.");
    for (Route route : Route.values()) {
      for (int c = 0; c < STATUS_CLASSES.length; c++) {
        long n = requests[route.ordinal()][c].sum();
        if (n != 0 || c == 1 || c == 3 || c == 4) {
          out.append("kvstore_http_requests_total{route=\"")
              .append(route.label())
              .append("\",status=\"")
              .append(STATUS_CLASSES[c])
              .append("\"} ")
              .append(n)
              .append('\n');
        }
      }
    }
    gauge(
        out,
        "kvstore_http_requests_in_flight",
        "gauge",
        "Requests being served now.",
        inFlight.sum());
    gauge(
        out,
        "kvstore_http_connections_open",
        "gauge",
        "Open client connections.",
        connections.open());
    gauge(
        out,
        "kvstore_http_connections_rejected_total",
        "counter",
        "Connections refused because the connection limit was reached.",
        connections.rejected());
    gauge(
        out,
        "kvstore_http_connections_idle_closed_total",
        "counter",
        "Connections closed after the idle timeout.",
        idleClosed.sum());
    gauge(
        out,
        "kvstore_http_internal_errors_total",
        "counter",
        "Requests answered 500 internal because of an unexpected error.",
        internalErrors.sum());
    return out.toString();
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String type, String help, long value) {
    header(out, name, type, help);
    out.append(name).append(' ').append(value).append('\n');
  }
}
