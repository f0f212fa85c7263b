package io.kvstore.internal.membership;

import io.kvstore.MembershipEvent;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Work produced by a {@link SwimCore} call: messages to send and membership events. The driver
 * drains it after every input (raft's {@code Ready}). Thread-unsafe, owned by the core's loop.
 */
public final class Outbox {
  /** How a message travels. */
  public enum Channel {
    /** Ordered stream (TCP): push-pull, the TCP fallback probe. */
    STREAM,
    /** Best-effort, size-capped datagram (UDP): probes and gossip. */
    DATAGRAM
  }

  /**
   * One message to send.
   *
   * @param to the destination's cluster endpoint
   * @param message the message
   * @param channel stream or datagram
   */
  public record Send(Endpoint to, Message message, Channel channel) {
    /** Validates. */
    public Send {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(channel, "channel");
    }
  }

  private final List<Send> sends = new ArrayList<>();
  private final List<MembershipEvent> events = new ArrayList<>();

  void send(Endpoint to, Message message, Channel channel) {
    sends.add(new Send(to, message, channel));
  }

  void event(MembershipEvent event) {
    events.add(event);
  }

  /** Removes and returns the pending sends, oldest first. */
  List<Send> drainSends() {
    List<Send> out = new ArrayList<>(sends);
    sends.clear();
    return out;
  }

  /** Removes and returns the pending events, oldest first. */
  List<MembershipEvent> drainEvents() {
    List<MembershipEvent> out = new ArrayList<>(events);
    events.clear();
    return out;
  }

  boolean isEmpty() {
    return sends.isEmpty() && events.isEmpty();
  }
}
