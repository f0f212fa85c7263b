/**
 * JMH benchmarks of the hot paths: key hashing and partitioning, the change function on a
 * partition's map, and the single-node store through its sync and async APIs. Run with {@code java
 * -jar jmh/target/benchmarks.jar}.
 */
package io.kvstore.jmh;
