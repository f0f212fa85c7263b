package io.kvstore.http;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs Netty's leak detector at PARANOID for the whole test JVM and records every leak it reports,
 * so that tests can fail on them. {@link #install()} must run before Netty's buffer classes are
 * loaded: every test class calls it from its static initializer.
 */
final class LeakDetection {
  private static final List<String> LEAKS = new ArrayList<>();

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  private LeakDetection() {}

  /** Installs the recording detector (once per JVM; later calls do nothing). */
  static void install() {
    // The static initializer does the work.
  }

  /**
   * Encourages the detector to look for leaks (collect garbage, then allocate, which is when Netty
   * checks) and returns what was reported so far, clearing the list.
   */
  static List<String> drainLeaks() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      io.netty.buffer.ByteBuf probe = io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(8);
      probe.release();
    }
    synchronized (LEAKS) {
      List<String> copy = new ArrayList<>(LEAKS);
      LEAKS.clear();
      return copy;
    }
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    @SuppressWarnings("deprecation") // abstract in the factory: must be implemented
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return newResourceLeakDetector(resource, samplingInterval);
    }

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval) {
      return new ResourceLeakDetector<>(resource, samplingInterval) {
        @Override
        protected boolean needReport() {
          return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
          record(resourceType + " leaked:" + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
          record(resourceType + " leaked (no records)");
        }
      };
    }

    private static void record(String leak) {
      synchronized (LEAKS) {
        LEAKS.add(leak);
      }
    }
  }
}
