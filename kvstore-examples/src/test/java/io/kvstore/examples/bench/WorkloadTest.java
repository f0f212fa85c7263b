package io.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  private static Map<OpType, Integer> sample(Workload w, int n) {
    SplittableRandom random = new SplittableRandom(99);
    Map<OpType, Integer> counts = new EnumMap<>(OpType.class);
    for (int i = 0; i < n; i++) {
      counts.merge(w.next(random), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void singleTypeWorkloads() {
    assertThat(sample(Workload.parse("put"), 100)).containsOnlyKeys(OpType.PUT);
    assertThat(sample(Workload.parse("get"), 100)).containsOnlyKeys(OpType.GET);
    assertThat(sample(Workload.parse("cas"), 100)).containsOnlyKeys(OpType.CAS);
    assertThat(sample(Workload.parse("put-if-absent"), 100)).containsOnlyKeys(OpType.PUT_IF_ABSENT);
  }

  @Test
  void mixedRatioIsThePercentageOfGets() {
    Map<OpType, Integer> counts = sample(Workload.parse("mixed:30"), 100_000);
    // Binomial sd is ~0.15 points at 100k draws; one point of slack cannot flake for a fixed seed.
    assertThat(counts.get(OpType.GET) / 1000.0).isBetween(29.0, 31.0);
    assertThat(counts.get(OpType.GET) + counts.get(OpType.PUT)).isEqualTo(100_000);
    assertThat(sample(Workload.parse("mixed:0"), 1000)).containsOnlyKeys(OpType.PUT);
    assertThat(sample(Workload.parse("mixed:100"), 1000)).containsOnlyKeys(OpType.GET);
    assertThat(Workload.parse("MIXED:50").name()).isEqualTo("mixed:50");
  }

  @Test
  void rejectsUnknownWorkloads() {
    for (String bad : new String[] {"scan", "mixed:101", "mixed:-1", "mixed:x", ""}) {
      assertThatThrownBy(() -> Workload.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void durationsParseUnitsAndPlainSeconds() {
    assertThat(Durations.parse("20s")).isEqualTo(Duration.ofSeconds(20));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("15")).isEqualTo(Duration.ofSeconds(15));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> Durations.parse("soon")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("-1s")).isInstanceOf(IllegalArgumentException.class);
  }
}
