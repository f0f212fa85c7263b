package io.kvstore.internal.node;

import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.Nack;
import io.kvstore.spi.message.Ping;
import io.kvstore.spi.message.PingReq;
import io.kvstore.spi.message.PushPull;

/**
 * Shares one transport between membership and the data plane: the membership service starts it
 * as usual, and every inbound message that is not a membership message goes to the data handler.
 */
final class DemuxTransport implements Transport {
  private final Transport delegate;
  private final Inbound data;

  DemuxTransport(Transport delegate, Inbound data) {
    this.delegate = delegate;
    this.data = data;
  }

  static boolean isMembership(Message m) {
    return m instanceof Ping || m instanceof Ack || m instanceof PingReq || m instanceof Nack
        || m instanceof PushPull;
  }

  @Override
  public void start(Endpoint local, Inbound membership) {
    delegate.start(local, new Inbound() {
      @Override
      public void receive(Endpoint from, Message m) {
        if (isMembership(m)) {
          membership.receive(from, m);
        } else {
          data.receive(from, m);
        }
      }

      @Override
      public void peerUnreachable(Endpoint peer) {
        data.peerUnreachable(peer);
      }

      @Override
      public void peerReachable(Endpoint peer) {
        data.peerReachable(peer);
      }
    });
  }

  @Override
  public Endpoint localEndpoint() {
    return delegate.localEndpoint();
  }

  @Override
  public void send(Endpoint to, Message message) {
    delegate.send(to, message);
  }

  @Override
  public void sendDatagram(Endpoint to, Message message) {
    delegate.sendDatagram(to, message);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
