package io.kvstore.spi;

/**
 * A monotonic time source in nanoseconds, used only for timeouts and TTLs, never for ordering.
 * Implementations must be thread-safe and never go backwards.
 */
@FunctionalInterface
public interface Clock {
  /** Monotonic nanoseconds from an arbitrary origin. */
  long nanoTime();

  /** The system's monotonic clock. */
  static Clock system() {
    return System::nanoTime;
  }
}
