package io.kvstore.spi;

import java.util.Objects;

/**
 * A network address of a node's cluster port.
 *
 * @param host host name or IP literal
 * @param port port number, 0 to 65535
 */
public record Endpoint(String host, int port) {
  /** Validates the address. */
  public Endpoint {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /**
   * Parses {@code host:port} (IPv6 literals in brackets: {@code [::1]:7000}).
   *
   * @throws IllegalArgumentException with a precise message on a malformed address
   */
  public static Endpoint parse(String hostPort) {
    Objects.requireNonNull(hostPort, "hostPort");
    String s = hostPort.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in '" + hostPort + "'", e);
    }
    return new Endpoint(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
