package io.kvstore.internal.membership;

import io.kvstore.spi.Endpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns a seed {@code host:port} into endpoints: a name with several addresses (a Kubernetes
 * headless service, a docker-compose service) becomes one seed per address. Injectable so tests
 * need no DNS. Implementations may block; the driver never calls them on the event loop.
 */
@FunctionalInterface
public interface SeedResolver {
  /** The endpoints behind {@code hostPort}, in a stable order; empty if it does not resolve. */
  List<Endpoint> resolve(String hostPort);

  /** Resolves through the JVM's name service ({@link InetAddress#getAllByName}). */
  static SeedResolver dns() {
    return hostPort -> {
      Endpoint e = Endpoint.parse(hostPort);
      try {
        TreeSet<String> ips = new TreeSet<>();
        for (InetAddress a : InetAddress.getAllByName(e.host())) {
          ips.add(a.getHostAddress());
        }
        List<Endpoint> out = new ArrayList<>();
        for (String ip : ips) {
          out.add(new Endpoint(ip, e.port()));
        }
        return out;
      } catch (UnknownHostException ex) {
        return List.of();
      }
    };
  }

  /** Parses without resolving (literal addresses, tests). */
  static SeedResolver literal() {
    return hostPort -> List.of(Endpoint.parse(hostPort));
  }
}
