package io.kvstore.net.tcp;

import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The TCP side of the cluster port: accepts connections, runs the server half of the handshake on
 * each, then delivers its messages. Accepted connections only receive; this node sends to a peer
 * over its own outbound connection ({@link PeerConnections}). Thread-safe.
 */
public final class TcpServer implements AutoCloseable {
  private final Channel serverChannel;
  private final ChannelGroup accepted;

  private TcpServer(Channel serverChannel, ChannelGroup accepted) {
    this.serverChannel = serverChannel;
    this.accepted = accepted;
  }

  /**
   * Binds {@code host:port} (0 = any free port) and starts accepting.
   *
   * @throws IOException if the address cannot be bound (a {@link java.net.BindException} if taken)
   */
  public static TcpServer bind(EventLoopGroup group, String host, int port, TransportContext ctx)
      throws IOException {
    ChannelGroup accepted =
        new DefaultChannelGroup("kvstore-accepted", GlobalEventExecutor.INSTANCE);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group, group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 256)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new ServerInitializer(ctx, accepted));
    ChannelFuture f = b.bind(host, port).awaitUninterruptibly();
    if (!f.isSuccess()) {
      if (f.cause() instanceof IOException e) {
        throw e;
      }
      throw new IOException("cannot bind TCP " + host + ':' + port, f.cause());
    }
    return new TcpServer(f.channel(), accepted);
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Stops accepting and closes every accepted connection; waits for both. */
  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly();
    accepted.close().awaitUninterruptibly();
  }

  /** Per accepted connection: framing, then the handshake (which installs the inbound handler). */
  static final class ServerInitializer extends ChannelInitializer<Channel> {
    private final TransportContext ctx;
    private final ChannelGroup accepted;

    ServerInitializer(TransportContext ctx, ChannelGroup accepted) {
      this.ctx = ctx;
      this.accepted = accepted;
    }

    @Override
    protected void initChannel(Channel ch) {
      ctx.metrics().increment(Counter.CONNECTIONS_ACCEPTED);
      ch.closeFuture().addListener(f -> ctx.metrics().increment(Counter.CONNECTIONS_CLOSED));
      accepted.add(ch);
      ctx.codec().addTo(ch.pipeline());
      ch.pipeline().addLast(ServerHandshakeHandler.NAME, new ServerHandshakeHandler(ctx));
    }
  }
}
