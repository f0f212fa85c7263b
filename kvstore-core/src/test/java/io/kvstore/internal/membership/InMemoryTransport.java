package io.kvstore.internal.membership;

import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link Transport} fake: delivers in-process, synchronously, and records what it sent. */
public final class InMemoryTransport implements Transport {
  /** The shared "network" of fakes. */
  public static final class Network {
    public final Map<Endpoint, InMemoryTransport> bound = new ConcurrentHashMap<>();
    private final AtomicInteger nextPort = new AtomicInteger(20000);

    /** Creates an empty network. */
    public Network() {}
  }

  /** One message sent. */
  record Sent(Endpoint to, Message message, boolean stream) {}

  private final Network network;
  final List<Sent> sent = new CopyOnWriteArrayList<>();
  private volatile Endpoint local;
  private volatile Inbound inbound;
  public volatile boolean closed;

  public InMemoryTransport(Network network) {
    this.network = network;
  }

  @Override
  public void start(Endpoint bind, Inbound in) {
    int port = bind.port() == 0 ? network.nextPort.getAndIncrement() : bind.port();
    local = new Endpoint(bind.host(), port);
    inbound = in;
    if (network.bound.putIfAbsent(local, this) != null) {
      throw new IllegalStateException("address in use: " + local);
    }
  }

  @Override
  public Endpoint localEndpoint() {
    return local;
  }

  @Override
  public void send(Endpoint to, Message message) {
    deliver(to, message, true);
  }

  @Override
  public void sendDatagram(Endpoint to, Message message) {
    deliver(to, message, false);
  }

  private void deliver(Endpoint to, Message message, boolean stream) {
    if (closed) {
      return;
    }
    if (sent.size() < 10_000) {
      sent.add(new Sent(to, message, stream));
    }
    InMemoryTransport peer = network.bound.get(to);
    if (peer != null && !peer.closed) {
      peer.inbound.receive(local, message);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (local != null) {
      network.bound.remove(local, this);
    }
  }
}
