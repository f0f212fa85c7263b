package io.kvstore.examples.cli;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's buffer-leak detection for the processes this module starts (a node, the load
 * generator). By default Netty samples one buffer in 128 and records a stack trace for each: work
 * that showed up in profiles of loaded nodes and of the generator, on machines where every process
 * shares the same cores. These processes turn it off unless the {@code
 * io.netty.leakDetection.level} system property asks for a level; the library itself never changes
 * the setting of the application that embeds it.
 */
public final class LeakDetection {
  private LeakDetection() {}

  /** Turns leak detection off unless {@code io.netty.leakDetection.level} is set. */
  public static void offUnlessAsked() {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }
}
