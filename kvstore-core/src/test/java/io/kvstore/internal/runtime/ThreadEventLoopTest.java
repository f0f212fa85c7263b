package io.kvstore.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadEventLoopTest {
  private final ThreadEventLoop loop = new ThreadEventLoop("test-loop");

  @AfterEach
  void stop() {
    loop.shutdown(TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void tasksRunInSubmissionOrderOnTheLoopThread() throws Exception {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 10_000; i++) {
      int n = i;
      loop.execute(() -> {
        assertThat(loop.inLoop()).isTrue();
        assertThat(ThreadEventLoop.onLoopThread()).isTrue();
        seen.add(n);
      });
    }
    loop.execute(done::countDown);
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).hasSize(10_000);
    for (int i = 0; i < seen.size(); i++) {
      assertThat(seen.get(i)).isEqualTo(i);
    }
    assertThat(loop.inLoop()).isFalse();
    assertThat(ThreadEventLoop.onLoopThread()).isFalse();
  }

  @Test
  void timersFireInDueOrderAndCancelledOnesDoNot() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    loop.schedule(TimeUnit.MILLISECONDS.toNanos(60), () -> {
      seen.add("late");
      done.countDown();
    });
    loop.schedule(TimeUnit.MILLISECONDS.toNanos(20), () -> seen.add("early"));
    loop.schedule(TimeUnit.MILLISECONDS.toNanos(40), () -> seen.add("cancelled")).cancel();
    loop.execute(() -> seen.add("now"));
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).containsExactly("now", "early", "late");
  }

  @Test
  void aFailingTaskDoesNotStopTheLoop() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    loop.execute(() -> {
      throw new IllegalStateException("boom (expected by the test)");
    });
    loop.execute(done::countDown);
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownRunsQueuedTasksThenRefusesNewOnes() {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    CountDownLatch gate = new CountDownLatch(1);
    loop.execute(() -> {
      try {
        gate.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < 100; i++) {
      int n = i;
      loop.execute(() -> seen.add(n));
    }
    loop.schedule(TimeUnit.HOURS.toNanos(1), () -> seen.add(-1));
    Thread opener = new Thread(gate::countDown);
    opener.start();
    assertThat(loop.shutdown(TimeUnit.SECONDS.toNanos(10))).isTrue();
    assertThat(seen).hasSize(100).doesNotContain(-1);
    assertThatThrownBy(() -> loop.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
  }
}
