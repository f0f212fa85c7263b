package io.kvstore.sim.toy;

import io.kvstore.OutcomeUnknownException;
import io.kvstore.Versioned;
import io.kvstore.sim.NodeContext;
import io.kvstore.sim.SimKv;
import io.kvstore.sim.toy.ToyMessages.Reply;
import io.kvstore.sim.toy.ToyMessages.Request;
import io.kvstore.sim.toy.ToyMessages.ToyOp;
import io.kvstore.spi.Cancellable;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.EventLoop;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * A toy register client: sends each request to a random server over the stream, completes the
 * future on the reply, or with {@link OutcomeUnknownException} after its timeout (the request may
 * have been applied).
 */
public final class ToyClient implements SimKv {
  private final Transport transport;
  private final EventLoop loop;
  private final SplittableRandom random;
  private final List<Endpoint> servers;
  private final long timeoutNanos;
  private final Map<Long, CompletableFuture<Reply>> pending = new HashMap<>(); // lookups only
  private long nextRequestId;

  private ToyClient(NodeContext ctx, List<Endpoint> servers, Duration timeout) {
    this.transport = ctx.transport();
    this.loop = ctx.eventLoop();
    this.random = ctx.random();
    this.servers = List.copyOf(servers);
    this.timeoutNanos = timeout.toNanos();
    transport.start(ctx.endpoint(), this::receive);
  }

  /** Boots a client talking to {@code servers}. */
  public static ToyClient boot(NodeContext ctx, List<Endpoint> servers, Duration timeout) {
    return new ToyClient(ctx, servers, timeout);
  }

  private void receive(Endpoint from, Message m) {
    if (m instanceof Reply r) {
      CompletableFuture<Reply> f = pending.remove(r.requestId());
      if (f != null) {
        f.complete(r);
      }
    }
  }

  private CompletableFuture<Reply> call(ToyOp op, String key, String value, long expected) {
    long id = ++nextRequestId;
    CompletableFuture<Reply> f = new CompletableFuture<>();
    pending.put(id, f);
    Endpoint server = servers.get(random.nextInt(servers.size()));
    transport.send(server, new Request(id, op, key, value, expected));
    Cancellable timer =
        loop.schedule(
            timeoutNanos,
            () -> {
              CompletableFuture<Reply> late = pending.remove(id);
              if (late != null) {
                late.completeExceptionally(
                    new OutcomeUnknownException("request " + id + " timed out"));
              }
            });
    f.whenComplete((r, e) -> timer.cancel());
    return f;
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    return call(ToyOp.GET, key, null, 0)
        .thenApply(
            r ->
                r.applied()
                    ? Optional.of(
                        new Versioned<>(r.value().getBytes(StandardCharsets.UTF_8), r.version()))
                    : Optional.empty());
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value) {
    return call(ToyOp.PUT, key, text(value), 0).thenApply(Reply::version);
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    return call(ToyOp.DELETE, key, null, 0).thenApply(Reply::applied);
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] value) {
    return call(ToyOp.CAS, key, text(value), expectedVersion).thenApply(Reply::applied);
  }

  @Override
  public CompletableFuture<Boolean> putIfAbsent(String key, byte[] value) {
    return call(ToyOp.PUT_IF_ABSENT, key, text(value), 0).thenApply(Reply::applied);
  }
}
