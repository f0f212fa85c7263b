package io.kvstore.sim.toy;

import io.kvstore.sim.NodeContext;
import io.kvstore.sim.toy.ToyMessages.Request;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;

/**
 * A correct toy: one server holds every key and applies requests one at a time, in arrival order,
 * answering over the stream. Linearizable as long as the server does not crash (it keeps its state
 * in memory, so a crash would lose acknowledged writes).
 */
public final class SingleServerRegister {
  private final ToyStore store = new ToyStore();
  private final Transport transport;

  private SingleServerRegister(NodeContext ctx) {
    this.transport = ctx.transport();
    transport.start(ctx.endpoint(), this::receive);
  }

  /** Boots a server on the simulation's seams. */
  public static SingleServerRegister boot(NodeContext ctx) {
    return new SingleServerRegister(ctx);
  }

  private void receive(Endpoint from, Message m) {
    if (m instanceof Request r) {
      transport.send(from, store.apply(r));
    }
  }
}
