package io.kvstore.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The driver on one single-threaded loop in virtual time, as the simulator runs it: nothing
 * blocks, listeners run only when their executor is drained.
 */
class MembershipServiceVirtualTimeTest {
  private static final long S = 1_000_000_000L;

  @Test
  void servicesRunOnOneVirtualLoopWithoutBlocking() {
    ManualEventLoop loop = new ManualEventLoop();
    InMemoryTransport.Network network = new InMemoryTransport.Network();
    ArrayDeque<Runnable> listenerTasks = new ArrayDeque<>();
    List<MembershipEvent> events = new ArrayList<>();
    List<MembershipService> services = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      MembershipService s = new MembershipService(MembershipConfig.lan(), new NodeId("v" + i, i),
          Map.of(), new InMemoryTransport(network), loop, loop.clock(), new SplittableRandom(i),
          listenerTasks::add, SeedResolver.literal());
      services.add(s);
    }
    services.get(0).addListener(events::add);
    CompletableFuture<Void> first = services.get(0).start(new Endpoint("10.1.0.1", 7946),
        List.of("10.1.0.2:7946", "10.1.0.3:7946"));
    assertThat(first).isNotDone(); // runs on the loop, which the test drives
    services.get(1).start(new Endpoint("10.1.0.2", 7946), List.of("10.1.0.1:7946"));
    services.get(2).start(new Endpoint("10.1.0.3", 7946), List.of("10.1.0.1:7946"));
    loop.runFor(5 * S);
    assertThat(first).isDone();
    for (MembershipService s : services) {
      assertThat(s.members()).hasSize(3).allMatch(m -> m.status() == MemberStatus.ALIVE);
    }
    assertThat(events).isEmpty(); // listeners have not run: their executor was not drained
    while (!listenerTasks.isEmpty()) {
      listenerTasks.poll().run();
    }
    assertThat(events).extracting(MembershipEvent::type)
        .containsExactly(MembershipEvent.Type.JOINED, MembershipEvent.Type.JOINED);

    CompletableFuture<Void> left = services.get(2).leaveAsync();
    loop.runFor(10 * S);
    assertThat(left).isDone();
    assertThat(services.get(0).members().get(2).status()).isEqualTo(MemberStatus.LEFT);
    for (MembershipService s : services) {
      s.close();
    }
  }
}
