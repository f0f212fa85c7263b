/**
 * JMH benchmarks of the hot paths: key hashing and partitioning, the change function on a
 * partition's map, the single-node store through its sync and async APIs, and, in sub-packages,
 * the wire codec ({@code codec}), a whole consensus round on three in-memory replicas ({@code
 * replication}) and the HTTP request path without the network ({@code io.kvstore.http}). Run with
 * {@code java -jar jmh/target/benchmarks.jar}.
 */
package io.kvstore.jmh;
