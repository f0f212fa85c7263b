package io.kvstore.sim.toy;

import io.kvstore.sim.NodeContext;
import io.kvstore.sim.toy.ToyMessages.Replicate;
import io.kvstore.sim.toy.ToyMessages.Reply;
import io.kvstore.sim.toy.ToyMessages.Request;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.util.List;

/**
 * A deliberately broken toy: every replica accepts writes, answers at once, and then propagates the
 * write to the other replicas asynchronously over lossy datagrams (last writer wins by version);
 * reads are served by whichever replica the client asked. Stale reads, lost updates and CAS on
 * stale versions follow. The simulator and checker must catch it: this proves the harness can fail.
 */
public final class AsyncReplicatedRegister {
  private final ToyStore store = new ToyStore();
  private final Transport transport;
  private final List<Endpoint> peers;

  private AsyncReplicatedRegister(NodeContext ctx, List<Endpoint> replicas) {
    this.transport = ctx.transport();
    this.peers = replicas.stream().filter(e -> !e.equals(ctx.endpoint())).toList();
    transport.start(ctx.endpoint(), this::receive);
  }

  /** Boots a replica that propagates to the other {@code replicas}. */
  public static AsyncReplicatedRegister boot(NodeContext ctx, List<Endpoint> replicas) {
    return new AsyncReplicatedRegister(ctx, replicas);
  }

  private void receive(Endpoint from, Message m) {
    if (m instanceof Request r) {
      Reply reply = store.apply(r);
      transport.send(from, reply);
      if (reply.applied() && r.op() != ToyMessages.ToyOp.GET) {
        Replicate rep = new Replicate(r.key(), store.value(r.key()), store.version(r.key()));
        for (Endpoint peer : peers) {
          transport.sendDatagram(peer, rep);
        }
      }
    } else if (m instanceof Replicate rep) {
      store.merge(rep.key(), rep.value(), rep.version());
    }
  }
}
