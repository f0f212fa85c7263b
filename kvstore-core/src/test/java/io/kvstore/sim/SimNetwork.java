package io.kvstore.sim;

import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The simulated network between the hosts of a {@link Simulation}: a seeded queue that loses,
 * delays, duplicates and reorders messages and cuts links (TigerBeetle's packet simulator, in
 * spirit).
 *
 * <p>Each host has one address ({@code name:7000}); each incarnation of a host binds a fresh {@link
 * Transport}. Faults come from the global {@link LinkFaults}, overridden per directed link. Links
 * are cut by partitions (any grouping of hosts: hosts in different groups cannot talk) and by
 * one-way blocks (asymmetric partitions). A stream message in flight when its link is cut is lost,
 * as a reset TCP connection loses its buffers, even if the link heals before it would have arrived.
 * Messages are delivered to the incarnation that was bound when they were sent; if it crashed
 * meanwhile they are lost with its event loop.
 *
 * <p>Single-threaded, like everything in a simulation.
 */
public final class SimNetwork {
  /** The port every simulated host listens on. */
  public static final int PORT = 7000;

  private final SimScheduler scheduler;
  private final SplittableRandom random;
  private final List<Host> hosts = new ArrayList<>();
  private final Map<String, Host> byHost = new HashMap<>(); // lookups only
  private final Map<Long, Link> links = new HashMap<>(); // lookups only
  private LinkFaults globalFaults = LinkFaults.RELIABLE;
  private long delivered;
  private long dropped;

  private static final class Host {
    final int index;
    final String name;
    final Endpoint endpoint;
    int group;
    SimTransport bound;

    Host(int index, String name) {
      this.index = index;
      this.name = name;
      this.endpoint = new Endpoint(name, PORT);
    }
  }

  private static final class Link {
    LinkFaults faults; // null = global
    boolean blocked;
    long epoch;
    long lastStreamAtNanos;
  }

  SimNetwork(SimScheduler scheduler, SplittableRandom random) {
    this.scheduler = scheduler;
    this.random = random;
  }

  /** Adds a host; returns its address. */
  Endpoint addHost(String name) {
    if (byHost.containsKey(name)) {
      throw new IllegalArgumentException("duplicate host " + name);
    }
    Host h = new Host(hosts.size(), name);
    hosts.add(h);
    byHost.put(name, h);
    return h.endpoint;
  }

  /** A fresh transport for a new incarnation of {@code name}, delivering on {@code loop}. */
  SimTransport newTransport(String name, SimEventLoop loop) {
    return new SimTransport(host(name), loop);
  }

  /** Unbinds {@code name}'s transport (crash): messages to it are lost until a restart binds. */
  void unbind(String name) {
    Host h = host(name);
    if (h.bound != null) {
      h.bound.closed = true;
      h.bound = null;
    }
    cutChangedLinks();
  }

  /** Sets the faults of every link without its own. */
  public void setGlobalFaults(LinkFaults faults) {
    this.globalFaults = Objects.requireNonNull(faults);
  }

  /** The global faults. */
  public LinkFaults globalFaults() {
    return globalFaults;
  }

  /** Sets the faults of the directed link {@code from -> to} (null = back to the global ones). */
  public void setLinkFaults(String from, String to, LinkFaults faults) {
    link(host(from), host(to)).faults = faults;
  }

  /** Partitions the hosts: hosts in different groups cannot talk; unlisted hosts form one group. */
  public void partition(Collection<? extends Collection<String>> groups) {
    for (Host h : hosts) {
      h.group = 0;
    }
    int g = 1;
    for (Collection<String> group : groups) {
      for (String name : group) {
        host(name).group = g;
      }
      g++;
    }
    cutChangedLinks();
  }

  /** Blocks the directed link {@code from -> to} only (an asymmetric partition). */
  public void block(String from, String to) {
    link(host(from), host(to)).blocked = true;
    cutChangedLinks();
  }

  /** Removes every partition and block. */
  public void heal() {
    for (Host h : hosts) {
      h.group = 0;
    }
    for (Link l : links.values()) {
      l.blocked = false; // order of this loop does not matter
    }
    cutChangedLinks();
  }

  /** Whether {@code from} can currently reach {@code to}. */
  public boolean connected(String from, String to) {
    return connected(host(from), host(to));
  }

  /** Messages delivered so far. */
  public long deliveredMessages() {
    return delivered;
  }

  /** Messages lost so far. */
  public long droppedMessages() {
    return dropped;
  }

  private boolean connected(Host a, Host b) {
    if (a == b) {
      return true;
    }
    if (a.group != b.group || a.bound == null || b.bound == null) {
      return false;
    }
    Link l = links.get(key(a, b));
    return l == null || !l.blocked;
  }

  /** Bumps the epoch of every link that is now cut, so its in-flight stream messages are lost. */
  private void cutChangedLinks() {
    for (Host a : hosts) {
      for (Host b : hosts) {
        if (a != b && !connected(a, b)) {
          link(a, b).epoch++;
        }
      }
    }
  }

  private Host host(String name) {
    Host h = byHost.get(name);
    if (h == null) {
      throw new IllegalArgumentException("unknown host " + name);
    }
    return h;
  }

  private Host host(Endpoint e) {
    Host h = byHost.get(e.host());
    return h != null && h.endpoint.equals(e) ? h : null;
  }

  private static long key(Host a, Host b) {
    return ((long) a.index << 32) | b.index;
  }

  private Link link(Host a, Host b) {
    return links.computeIfAbsent(key(a, b), k -> new Link());
  }

  private void send(SimTransport from, Endpoint to, Message m, boolean stream) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(m, "message");
    if (from.closed) {
      return;
    }
    Host src = from.host;
    Host dst = host(to);
    if (dst == null || !connected(src, dst)) {
      dropped++;
      return;
    }
    SimTransport target = dst.bound;
    Link link = link(src, dst);
    LinkFaults f = link.faults != null ? link.faults : globalFaults;
    if (f.dropProbability() > 0 && random.nextDouble() < f.dropProbability()) {
      dropped++;
      return;
    }
    long at = scheduler.nowNanos() + f.delay().sample(random);
    int copies = 1;
    if (stream) {
      at = Math.max(at, link.lastStreamAtNanos);
      link.lastStreamAtNanos = at;
    } else {
      if (f.reorderProbability() > 0 && random.nextDouble() < f.reorderProbability()) {
        at += random.nextLong(f.delay().maxNanos() + 1);
      }
      if (f.duplicateProbability() > 0 && random.nextDouble() < f.duplicateProbability()) {
        copies = 2;
      }
    }
    String label =
        (stream ? "recv " : "recv-dgram ")
            + src.name
            + "->"
            + dst.name
            + " "
            + TraceFormat.describe(m);
    long epoch = link.epoch;
    for (int i = 0; i < copies; i++) {
      long when = i == 0 ? at : at + f.delay().sample(random);
      scheduler.schedule(
          when + target.loop.slowDelayNanos(),
          target.loop,
          label,
          () -> deliver(src, target, link, epoch, stream, m));
    }
  }

  private void deliver(
      Host src, SimTransport target, Link link, long epoch, boolean stream, Message m) {
    boolean lost = target.closed || !connected(src, target.host) || (stream && link.epoch != epoch);
    if (lost || target.inbound == null) {
      dropped++;
      return;
    }
    delivered++;
    target.inbound.receive(src.endpoint, m);
  }

  /** One incarnation's transport. */
  final class SimTransport implements Transport {
    private final Host host;
    private final SimEventLoop loop;
    private Inbound inbound;
    private boolean closed;

    SimTransport(Host host, SimEventLoop loop) {
      this.host = host;
      this.loop = loop;
    }

    @Override
    public void start(Endpoint local, Inbound inbound) {
      if (closed) {
        throw new IllegalStateException("transport closed");
      }
      if (local != null && !local.host().equals(host.name)) {
        throw new IllegalArgumentException("host " + host.name + " cannot bind " + local);
      }
      this.inbound = Objects.requireNonNull(inbound, "inbound");
      if (host.bound != null && host.bound != this) {
        host.bound.closed = true;
      }
      host.bound = this;
    }

    @Override
    public Endpoint localEndpoint() {
      return host.endpoint;
    }

    @Override
    public void send(Endpoint to, Message message) {
      SimNetwork.this.send(this, to, message, true);
    }

    @Override
    public void sendDatagram(Endpoint to, Message message) {
      SimNetwork.this.send(this, to, message, false);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        if (host.bound == this) {
          host.bound = null;
          cutChangedLinks();
        }
      }
    }
  }
}
