package io.kvstore.spi;

/**
 * Carries {@link Message}s between nodes. Fire-and-forget: request/response correlation, retries and
 * quorum counting are protocol logic and live in the cores, so a transport only moves messages and
 * may lose them. Implementations must be thread-safe.
 */
public interface Transport extends AutoCloseable {
  /** Receives messages; may be called on any thread. */
  @FunctionalInterface
  interface Inbound {
    /** Called for each message received from {@code from}. */
    void receive(Endpoint from, Message message);

    /**
     * The ordered stream to {@code peer} broke or could not be opened (a peer that crashed shows
     * this long before failure detection does): what was sent to it lately may be lost. A hint,
     * not proof that the peer is down. Called on any thread.
     */
    default void peerUnreachable(Endpoint peer) {}

    /** The ordered stream to {@code peer} works again after {@link #peerUnreachable}. */
    default void peerReachable(Endpoint peer) {}
  }

  /**
   * Binds {@code local} (the address to listen on; port 0 picks a free port) and starts delivering
   * received messages to {@code inbound}. Called once.
   */
  void start(Endpoint local, Inbound inbound);

  /** The address other nodes reach this node at (after {@link #start}). */
  Endpoint localEndpoint();

  /** Sends over an ordered stream to {@code to}; may be dropped if the peer is unreachable. */
  void send(Endpoint to, Message message);

  /** Sends a best-effort, size-capped datagram (gossip); may be lost, duplicated or reordered. */
  void sendDatagram(Endpoint to, Message message);

  /**
   * The event loop this transport reads and writes on, if it has exactly one and lets its user run
   * work there; {@code null} otherwise (the default). A store runs its replication core on this
   * loop when it exists, so that received messages reach the core, and the core's messages reach
   * the sockets, without a hand-off between threads. Tasks submitted to it must never block. The
   * loop belongs to the transport: its {@link EventLoop#shutdown} does nothing, and it stops with
   * {@link #close}. Available before {@link #start}.
   */
  default EventLoop eventLoop() {
    return null;
  }

  /** Unbinds and releases every resource. Idempotent. */
  @Override
  void close();
}
