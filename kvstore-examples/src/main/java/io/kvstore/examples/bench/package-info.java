/**
 * The load generator behind {@code bin/kvstore bench}: drives a store (over HTTP or embedded in the
 * same JVM) in a closed or open loop, records latencies in HdrHistogram, and reports a table, a
 * JSON document and a per-second chart.
 */
package io.kvstore.examples.bench;
