package io.kvstore.sim;

import io.kvstore.spi.Endpoint;

/**
 * One simulated machine: a stable name and address, and the current incarnation of the node running
 * on it (none while crashed).
 */
public final class SimHost {
  private final String name;
  private final Endpoint endpoint;
  private final NodeFactory factory;
  private Object node;
  private SimEventLoop loop;
  private long bootId;
  private int boots;
  private long slowDelayNanos;

  SimHost(String name, Endpoint endpoint, NodeFactory factory) {
    this.name = name;
    this.endpoint = endpoint;
    this.factory = factory;
  }

  /** The host name. */
  public String name() {
    return name;
  }

  /** The host's address. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** Whether a node incarnation is running. */
  public boolean isUp() {
    return loop != null && loop.isAlive();
  }

  /** The running node (as returned by its factory), or null while down. */
  public Object node() {
    return isUp() ? node : null;
  }

  /** The running node cast to {@code type}, or null while down. */
  public <T> T node(Class<T> type) {
    return type.cast(node());
  }

  /** The current incarnation's loop, or null while down. */
  public SimEventLoop eventLoop() {
    return isUp() ? loop : null;
  }

  /** The current incarnation's boot id. */
  public long bootId() {
    return bootId;
  }

  /** How many times the host booted. */
  public int boots() {
    return boots;
  }

  NodeFactory factory() {
    return factory;
  }

  long slowDelayNanos() {
    return slowDelayNanos;
  }

  void setSlowDelayNanos(long nanos) {
    slowDelayNanos = nanos;
    if (loop != null) {
      loop.setSlowDelayNanos(nanos);
    }
  }

  void booted(SimEventLoop loop, long bootId, Object node) {
    this.loop = loop;
    this.bootId = bootId;
    this.node = node;
    this.boots++;
  }

  void crashed() {
    if (loop != null) {
      loop.crash();
    }
    node = null;
  }
}
